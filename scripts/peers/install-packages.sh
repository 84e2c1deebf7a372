#!/usr/bin/env bash
# Installs the Debian packages that scripts/peers/wordpress.sh needs (CI and developers' machines):
# wordpress (6.1 in bookworm), mariadb-server, php-cli, php-mysql. Does nothing when they are there.
#
# The wordpress package depends on a web server (Apache) and mariadb-server ships a service; the
# peer uses neither (it runs its own MariaDB and `php -S`), so no service is started by this
# install: when the machine has no /usr/sbin/policy-rc.d, one that refuses service starts is put
# in place for the install and removed afterwards.
set -euo pipefail

PACKAGES=(wordpress mariadb-server php-cli php-mysql)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-packages.sh: ${PACKAGES[*]} already installed"
  exit 0
fi

SUDO=()
[ "$(id -u)" = 0 ] || SUDO=(sudo)

POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
  printf '#!/bin/sh\n# scripts/peers/install-packages.sh: no service starts during this install\nexit 101\n' \
    | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
fi

echo "install-packages.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "install-packages.sh: done"
