# Sourced by scripts/_services.sh and .ci/run: installs Chromium, PostgreSQL and Redis from
# Debian's packages when missing (as root or with sudo). .ci/run calls it once before it starts the
# SQLite and PostgreSQL suites side by side, so the two never race for apt's lock.

install_system_packages() {
  local packages=() sudo=""
  [[ -x /usr/bin/chromium ]] || packages+=(chromium)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || packages+=(postgresql)
  command -v redis-server >/dev/null || packages+=(redis-server)
  (( ${#packages[@]} )) || return 0
  echo "Installing ${packages[*]} with apt-get"
  [[ $EUID -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  local install=($sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${packages[@]}")
  if ! "${install[@]}" >/dev/null; then
    $sudo apt-get update -qq
    "${install[@]}" >/dev/null
  fi
}
