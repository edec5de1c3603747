#!/usr/bin/env bash
# Installs what the browser and metrics tests use, where it is missing: Debian's chromium and chromedriver
# (DemoDashboardIntegrationTest drives them through Selenium) and Prometheus' Python client, whose text-format
# parser checks /metrics. Needs root or passwordless sudo and Debian's apt; where it cannot install, it says
# so and exits 0, and those tests skip with the reason.
set -uo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
/usr/bin/python3 -c "import prometheus_client.parser" 2>/dev/null || need+=(python3-prometheus-client)
if [ ${#need[@]} -eq 0 ]; then
  echo "test-deps: ready (chromium, chromedriver, prometheus_client)"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "test-deps: unavailable: installing ${need[*]} needs root; the browser and Prometheus-parser tests will skip"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${need[@]}" >/tmp/test-deps-apt.log 2>&1; then
  "${SUDO[@]}" apt-get update -q >>/tmp/test-deps-apt.log 2>&1
  if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${need[@]}" >>/tmp/test-deps-apt.log 2>&1; then
    echo "test-deps: unavailable: apt-get install ${need[*]} failed (see /tmp/test-deps-apt.log); those tests will skip"
    exit 0
  fi
fi
echo "test-deps: installed ${need[*]}"
