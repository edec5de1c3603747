package dev.onlineem.stream;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.simple.SimpleServiceProvider;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The service's SLF4J provider: slf4j-simple's loggers (configured by {@code simplelogger.properties} as before), except that
 * an ERROR reporting the fencing that follows a pause of this instance ({@link PauseWatch}) is logged at DEBUG: after the one
 * WARN line that explains it, it is expected, not a fault. {@code run} and the other commands select it with the system
 * property {@code slf4j.provider} ({@link #install()}).
 */
public final class FencingAwareLoggers implements SLF4JServiceProvider {
    private final SimpleServiceProvider simple = new SimpleServiceProvider();
    private ILoggerFactory factory;

    /** Makes this the SLF4J provider, before the first logger is made, unless one was chosen with {@code -Dslf4j.provider}. */
    public static void install() {
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", FencingAwareLoggers.class.getName());
            // SLF4J reports an explicitly chosen provider on the console at INFO; only its warnings are wanted
            System.setProperty("slf4j.internal.verbosity", System.getProperty("slf4j.internal.verbosity", "WARN"));
        }
    }

    @Override
    public void initialize() {
        simple.initialize();
        ILoggerFactory inner = simple.getLoggerFactory();
        ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
        factory = name -> loggers.computeIfAbsent(name, n -> new FencingAware(inner.getLogger(n)));
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return simple.getMarkerFactory();
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return simple.getMDCAdapter();
    }

    @Override
    public String getRequestedApiVersion() {
        return simple.getRequestedApiVersion();
    }

    /** One logger: its calls go to slf4j-simple's logger of the same name, a pause's fencing ERRORs at DEBUG. */
    static final class FencingAware extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        private final transient Logger delegate;

        FencingAware(Logger delegate) {
            this.delegate = delegate;
            this.name = delegate.getName();
        }

        @Override
        public boolean isTraceEnabled() {
            return delegate.isTraceEnabled();
        }

        @Override
        public boolean isDebugEnabled() {
            return delegate.isDebugEnabled();
        }

        @Override
        public boolean isInfoEnabled() {
            return delegate.isInfoEnabled();
        }

        @Override
        public boolean isWarnEnabled() {
            return delegate.isWarnEnabled();
        }

        @Override
        public boolean isErrorEnabled() {
            return delegate.isErrorEnabled();
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String message, Object[] args, Throwable t) {
            if (level == Level.ERROR && PauseWatch.expectedFencing(message, args, t)) {
                level = Level.DEBUG;
            }
            if (!delegate.isEnabledForLevel(level)) {
                return;
            }
            org.slf4j.spi.LoggingEventBuilder e = delegate.atLevel(level).setMessage(message).setCause(t);
            if (marker != null) {
                e.addMarker(marker);
            }
            if (args != null) {
                for (Object a : args) {
                    e.addArgument(a);
                }
            }
            e.log();
        }
    }
}
