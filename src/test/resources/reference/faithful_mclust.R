# Reference fit for FitCommandTest: R 4.x with mclust 6.0.0 (Debian r-cran-mclust), EM run to tol 1e-12.
# Run from the project root: Rscript src/test/resources/reference/faithful_mclust.R
library(mclust)
x <- read.csv("src/test/resources/data/datasets__faithful.csv")
print(head(x,2))
fit <- Mclust(x[,c("eruptions","waiting")], G=2, modelNames="VVV", control=emControl(tol=c(1e-12, 1e-12), itmax=c(100000,100000)))
options(digits=12)
print(fit$parameters$pro); print(fit$parameters$mean); print(fit$parameters$variance$sigma); print(fit$loglik); print(fit$loglik/nrow(x))
