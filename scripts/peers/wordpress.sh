#!/usr/bin/env bash
# A real WordPress (Debian's package) for testing the blog connector against, in one directory.
#
#   scripts/peers/wordpress.sh start <dir>   set up and start; prints `export` lines on stdout
#   scripts/peers/wordpress.sh env <dir>     print the `export` lines of a running peer again
#   scripts/peers/wordpress.sh stop <dir>    stop what `start` started in <dir> (nothing else)
#
# Needs the Debian packages wordpress, mariadb-server, php-cli and php-mysql
# (scripts/peers/install-packages.sh); installs nothing itself and exits 3 when one is missing.
# Everything lives in <dir>: a private MariaDB (data in <dir>/mysql, its own socket, pid file and a
# free 127.0.0.1 port; the machine's own MariaDB is never touched), a WordPress tree that uses the
# package's code (<dir>/wp, with its own wp-config.php; nothing is written to /etc or /usr), and
# `php -S` on a free 127.0.0.1 port. Application passwords work over http because the site is
# WP_ENVIRONMENT_TYPE=local. No network is needed: WordPress's outbound HTTP and mail are off.
#
# The exports: WP_PEER_URL (the site, the connector's base URL), WP_PEER_USER and
# WP_PEER_APP_PASSWORD (an administrator's application password), WP_PEER_ADMIN_ID,
# WP_PEER_COMMENTER (a subscriber account), WP_PEER_COMMENTER_ID, WP_PEER_COMMENTER_APP_PASSWORD,
# WP_PEER_DIR, WP_PEER_ABSPATH (require "$WP_PEER_ABSPATH/wp-load.php"), WP_PEER_EVAL (a program:
# `"$WP_PEER_EVAL" < code.php` runs the PHP code inside WordPress as the administrator and prints
# its return value as JSON), WP_PEER_DB_SOCKET, WP_PEER_DB_PORT, WP_PEER_DB_NAME,
# WP_PEER_DB_USER, WP_PEER_DB_PASSWORD, WP_PEER_TABLE_PREFIX.
#
# Test hooks (a must-use plugin in <dir>/wp/wp-content/mu-plugins, never in the package):
#   option peer_reply_delay_seconds   the next comment created over REST answers only after this
#                                     many seconds (the comment is already stored): a client timeout
#                                     with an unknown outcome. The option is removed when used.
set -euo pipefail

PACKAGES=(wordpress mariadb-server php-cli php-mysql)
WP_SRC=/usr/share/wordpress
DB_NAME=wordpress
DB_USER=wordpress
TABLE_PREFIX=wp_
ADMIN=kommunen
COMMENTER=kommentator

die() { echo "wordpress.sh: $*" >&2; exit 1; }
say() { echo "wordpress.sh: $*" >&2; }

usage() {
  echo "usage: $0 start|stop|env <dir>" >&2
  exit 2
}

check_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  local tool
  for tool in mariadb-install-db mariadb mariadb-admin php; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("($tool)")
  done
  [ -x /usr/sbin/mariadbd ] || missing+=("(/usr/sbin/mariadbd)")
  [ -f "$WP_SRC/wp-load.php" ] || missing+=("($WP_SRC)")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "wordpress.sh: missing Debian packages: ${missing[*]}" >&2
    echo "wordpress.sh: install them with scripts/peers/install-packages.sh" \
      "(apt-get install --no-install-recommends ${PACKAGES[*]})" >&2
    exit 3
  fi
}

free_port() {
  php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); $n = stream_socket_get_name($s, false);
          echo substr($n, strrpos($n, ":") + 1);'
}

port_free() {
  php -r '$s = @stream_socket_server("tcp://127.0.0.1:" . $argv[1]); exit($s ? 0 : 1);' "$1"
}

# The pid in a pid file, if that process is alive and is ours: its command line names <dir>
# (a pid file left from before a reboot may name another process by now).
live_pid() {
  local file=$1 pid
  [ -f "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$DIR/" || return 1
  echo "$pid"
}

random_secret() { php -r 'echo bin2hex(random_bytes($argv[1]));' "${1:-24}"; }

# ---------------------------------------------------------------------------------------------
# state kept in <dir>/peer.state (shell assignments): ports, passwords

load_state() {
  DB_PORT="" WEB_PORT="" DB_PASSWORD="" APP_PASSWORD="" COMMENTER_APP_PASSWORD="" ADMIN_ID="" COMMENTER_ID=""
  # shellcheck disable=SC1090,SC1091
  [ -f "$DIR/peer.state" ] && . "$DIR/peer.state"
  return 0
}

save_state() {
  umask 077
  cat >"$DIR/peer.state.tmp" <<EOF
DB_PORT=$DB_PORT
WEB_PORT=$WEB_PORT
DB_PASSWORD=$DB_PASSWORD
APP_PASSWORD='$APP_PASSWORD'
COMMENTER_APP_PASSWORD='$COMMENTER_APP_PASSWORD'
ADMIN_ID=$ADMIN_ID
COMMENTER_ID=$COMMENTER_ID
EOF
  mv "$DIR/peer.state.tmp" "$DIR/peer.state"
}

print_exports() {
  cat <<EOF
export WP_PEER_URL=http://127.0.0.1:$WEB_PORT
export WP_PEER_USER=$ADMIN
export WP_PEER_APP_PASSWORD='$APP_PASSWORD'
export WP_PEER_ADMIN_ID=$ADMIN_ID
export WP_PEER_COMMENTER=$COMMENTER
export WP_PEER_COMMENTER_ID=$COMMENTER_ID
export WP_PEER_COMMENTER_APP_PASSWORD='$COMMENTER_APP_PASSWORD'
export WP_PEER_DIR=$DIR
export WP_PEER_ABSPATH=$DIR/wp
export WP_PEER_EVAL=$DIR/wp-eval
export WP_PEER_DB_SOCKET=$SOCKET
export WP_PEER_DB_PORT=$DB_PORT
export WP_PEER_DB_NAME=$DB_NAME
export WP_PEER_DB_USER=$DB_USER
export WP_PEER_DB_PASSWORD=$DB_PASSWORD
export WP_PEER_TABLE_PREFIX=$TABLE_PREFIX
EOF
}

# ---------------------------------------------------------------------------------------------
# MariaDB

db_start() {
  if live_pid "$DIR/run/mariadbd.pid" >/dev/null && db_ping; then
    return 0
  fi
  rm -f "$SOCKET" "$DIR/run/mariadbd.pid"
  if [ ! -d "$DIR/mysql/mysql" ]; then
    say "initialising a private MariaDB in $DIR/mysql"
    mkdir -p "$DIR/mysql"
    mariadb-install-db --no-defaults --datadir="$DIR/mysql" --user="$(id -un)" \
      --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
      >"$DIR/log/mariadb-install.log" 2>&1 || { cat "$DIR/log/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
  fi
  if [ -z "$DB_PORT" ] || ! port_free "$DB_PORT"; then DB_PORT=$(free_port); fi
  # Own process group (setsid), so `stop` can end exactly it. --user is needed only as root.
  local as_user=()
  [ "$(id -u)" = 0 ] && as_user=(--user=root)
  setsid /usr/sbin/mariadbd --no-defaults "${as_user[@]}" --datadir="$DIR/mysql" --socket="$SOCKET" \
    --pid-file="$DIR/run/mariadbd.pid" --port="$DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
    --log-error="$DIR/log/mariadb.err" --skip-log-bin --innodb-buffer-pool-size=64M \
    --innodb-log-file-size=16M --innodb-flush-log-at-trx-commit=2 --skip-innodb-doublewrite \
    --max-connections=50 --performance-schema=OFF --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci </dev/null >/dev/null 2>&1 &
  local i
  for i in $(seq 1 150); do
    db_ping && return 0
    sleep 0.1
  done
  tail -n 30 "$DIR/log/mariadb.err" >&2 || true
  die "the private MariaDB did not start (log: $DIR/log/mariadb.err)"
}

db_ping() { mariadb-admin --no-defaults --socket="$SOCKET" -uroot ping >/dev/null 2>&1; }

sql_root() { mariadb --no-defaults --socket="$SOCKET" -uroot "$@"; }

db_create() {
  [ -n "$DB_PASSWORD" ] || DB_PASSWORD=$(random_secret 12)
  sql_root <<EOF
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'127.0.0.1';
EOF
}

db_stop() {
  local pid
  if pid=$(live_pid "$DIR/run/mariadbd.pid"); then
    mariadb-admin --no-defaults --socket="$SOCKET" -uroot shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$DIR/run/mariadbd.pid" "$SOCKET"
}

# ---------------------------------------------------------------------------------------------
# WordPress files

wp_files() {
  local wp="$DIR/wp" entry name
  mkdir -p "$wp/wp-content/mu-plugins" "$wp/wp-content/plugins" "$wp/wp-content/themes" "$wp/wp-content/uploads"
  # The entry points are copied (PHP resolves a symlinked file's __DIR__ to its target, and
  # wp-load.php takes ABSPATH and so wp-config.php from there); the code directories are symlinks.
  for entry in "$WP_SRC"/*.php; do
    name=$(basename "$entry")
    [ "$name" = wp-config.php ] && continue
    cmp -s "$entry" "$wp/$name" 2>/dev/null || cp "$entry" "$wp/$name"
  done
  for name in wp-admin wp-includes; do
    [ -L "$wp/$name" ] || ln -sfn "$WP_SRC/$name" "$wp/$name"
  done

  umask 077
  local salts="" key
  if [ -f "$DIR/salts.php" ]; then
    salts=$(cat "$DIR/salts.php")
  else
    for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
      salts+="define('$key', '$(random_secret 32)');"$'\n'
    done
    printf '%s' "$salts" >"$DIR/salts.php"
  fi
  cat >"$wp/wp-config.php" <<EOF
<?php
// Written by scripts/peers/wordpress.sh for a private test peer; rewritten on every start.
define('DB_NAME', '$DB_NAME');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$DB_PASSWORD');
define('DB_HOST', 'localhost:$SOCKET');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$salts
\$table_prefix = '$TABLE_PREFIX';
define('WP_HOME', 'http://127.0.0.1:$WEB_PORT');
define('WP_SITEURL', 'http://127.0.0.1:$WEB_PORT');
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('WP_CONTENT_URL', 'http://127.0.0.1:$WEB_PORT/wp-content');
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('DISALLOW_FILE_MODS', true);
define('WP_DEBUG', false);
define('WP_DEBUG_DISPLAY', false);
define('WP_DEBUG_LOG', '$DIR/log/wp-debug.log');
@ini_set('display_errors', '0');
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
EOF

  cat >"$wp/wp-content/mu-plugins/ludvika-peer.php" <<'EOF'
<?php
/*
 * Test hooks of the Ludvika WordPress peer (scripts/peers/wordpress.sh); not part of WordPress.
 */

// No mail leaves the peer (there is no MTA): wp_mail reports success without sending.
add_filter('pre_wp_mail', '__return_true');

// The next comment created over REST answers late (it is already stored): a client that gives up
// first has an unknown outcome. Set the option peer_reply_delay_seconds; it is used once.
add_action('rest_insert_comment', function ($comment, $request, $creating) {
    if (!$creating) {
        return;
    }
    $delay = (float) get_option('peer_reply_delay_seconds', 0);
    if ($delay > 0) {
        delete_option('peer_reply_delay_seconds');
        usleep((int) ($delay * 1000000));
    }
}, 10, 3);
EOF

  # php -S: static files as they are, everything else through WordPress's front controller, so
  # pretty permalinks and /wp-json/ work as behind Apache's rewrite rules.
  cat >"$DIR/router.php" <<'EOF'
<?php
$root = $_SERVER['DOCUMENT_ROOT'];
$path = urldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if ($path !== '/' && strpos($path, '..') === false && is_file($root . $path)) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
chdir($root);
require $root . '/index.php';
EOF

  # WordPress loaded from the command line, with the server variables it expects.
  cat >"$DIR/cli-env.php" <<EOF
<?php
\$_SERVER['HTTP_HOST'] = '127.0.0.1:$WEB_PORT';
\$_SERVER['SERVER_NAME'] = '127.0.0.1';
\$_SERVER['SERVER_PORT'] = '$WEB_PORT';
\$_SERVER['REQUEST_URI'] = '/';
\$_SERVER['REQUEST_METHOD'] = 'GET';
\$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
\$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
EOF

  # `wp-eval < code` (eval.php): runs the code inside WordPress as the administrator; prints the
  # code's return value as JSON. A PHP error or exception exits non-zero with the message on stderr.
  # The compiled WordPress is kept in <dir>/opcache, so each run loads it in about 0.1 s.
  mkdir -p "$DIR/opcache"
  cat >"$DIR/wp-eval" <<EOF
#!/bin/sh
exec php -d opcache.enable_cli=1 -d opcache.file_cache="$DIR/opcache" -d opcache.file_cache_only=1 \\
  -d display_errors=stderr -d "error_reporting=E_ALL & ~E_DEPRECATED" "$DIR/eval.php" "\$@"
EOF
  chmod +x "$DIR/wp-eval"
  cat >"$DIR/eval.php" <<'EOF'
<?php
require __DIR__ . '/cli-env.php';
require __DIR__ . '/wp/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/admin.php';
$admin = get_user_by('login', 'kommunen');
if ($admin) {
    wp_set_current_user($admin->ID);
}
$code = stream_get_contents(STDIN);
$code = preg_replace('/^\s*<\?php/', '', $code);
try {
    $result = eval($code);
} catch (Throwable $e) {
    fwrite(STDERR, get_class($e) . ': ' . $e->getMessage() . "\n");
    exit(1);
}
if ($result instanceof WP_Error) {
    fwrite(STDERR, 'WP_Error: ' . $result->get_error_code() . ': ' . $result->get_error_message() . "\n");
    exit(1);
}
echo json_encode($result, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
EOF
}

wp_install() {
  local out
  out=$(php -d display_errors=stderr -d error_reporting=E_ALL\&~E_DEPRECATED\&~E_NOTICE \
    -r '
define("WP_INSTALLING", true);
require $argv[1] . "/cli-env.php";
require $argv[1] . "/wp/wp-load.php";
require_once ABSPATH . "wp-admin/includes/upgrade.php";
require_once ABSPATH . "wp-includes/class-wp-application-passwords.php";
if (!is_blog_installed()) {
    $r = wp_install("Ludvika kommun (testblogg)", "kommunen", "kommunen@ludvika.example", false, "",
                    wp_generate_password(24, true, true));
    update_option("permalink_structure", "/%postname%/");
    update_option("timezone_string", "Europe/Stockholm");
    update_option("comment_moderation", "0");
    update_option("comment_previously_approved", "0");
    update_option("close_comments_for_old_posts", "0");
    update_option("thread_comments_depth", "10");
    flush_rewrite_rules(false);
}
$admin = get_user_by("login", "kommunen");
$commenter = get_user_by("login", "kommentator");
if (!$commenter) {
    $id = wp_insert_user(["user_login" => "kommentator", "user_pass" => wp_generate_password(24),
        "user_email" => "kommentator@ludvika.example", "display_name" => "Karin Kommentator", "role" => "subscriber"]);
    $commenter = get_user_by("id", $id);
}
$out = ["admin_id" => $admin->ID, "commenter_id" => $commenter->ID];
foreach (["admin" => $admin, "commenter" => $commenter] as $who => $user) {
    $given = $argv[$who === "admin" ? 2 : 3];
    if ($given !== "" && wp_check_password($given, WP_Application_Passwords::get_user_application_passwords($user->ID)[0]["password"] ?? "")) {
        $out[$who . "_password"] = $given;
        continue;
    }
    WP_Application_Passwords::delete_all_application_passwords($user->ID);
    [$password] = WP_Application_Passwords::create_new_application_password($user->ID, ["name" => "ludvika-peer"]);
    $out[$who . "_password"] = $password;
}
echo json_encode($out), "\n";
' "$DIR" "$APP_PASSWORD" "$COMMENTER_APP_PASSWORD" 2>"$DIR/log/install.log") \
    || { cat "$DIR/log/install.log" >&2; die "installing WordPress failed"; }
  ADMIN_ID=$(php -r 'echo json_decode($argv[1], true)["admin_id"];' "$out")
  COMMENTER_ID=$(php -r 'echo json_decode($argv[1], true)["commenter_id"];' "$out")
  APP_PASSWORD=$(php -r 'echo json_decode($argv[1], true)["admin_password"];' "$out")
  COMMENTER_APP_PASSWORD=$(php -r 'echo json_decode($argv[1], true)["commenter_password"];' "$out")
}

web_start() {
  if live_pid "$DIR/run/php.pid" >/dev/null; then
    return 0
  fi
  # Several workers, so a request held by a test hook does not block the next one.
  PHP_CLI_SERVER_WORKERS=4 setsid php -d display_errors=0 -d log_errors=1 -d error_log="$DIR/log/php-errors.log" \
    -d variables_order=EGPCS -S "127.0.0.1:$WEB_PORT" -t "$DIR/wp" "$DIR/router.php" \
    </dev/null >>"$DIR/log/php-server.log" 2>&1 &
  echo $! >"$DIR/run/php.pid"
}

web_check() {
  # The REST API answers, and the application password authenticates as the administrator.
  local i
  for i in $(seq 1 100); do
    if php -r '
$ctx = stream_context_create(["http" => ["timeout" => 5, "ignore_errors" => true,
    "header" => "Authorization: Basic " . base64_encode($argv[2] . ":" . $argv[3])]]);
$body = @file_get_contents($argv[1] . "/wp-json/wp/v2/users/me?context=edit", false, $ctx);
if ($body === false) exit(2);
$me = json_decode($body, true);
if (($me["id"] ?? null) == $argv[4]) exit(0);
fwrite(STDERR, substr($body, 0, 500) . "\n");
exit(1);
' "http://127.0.0.1:$WEB_PORT" "$ADMIN" "$APP_PASSWORD" "$ADMIN_ID" 2>"$DIR/log/check.log"; then
      return 0
    else
      local rc=$?
      [ "$rc" = 1 ] && { cat "$DIR/log/check.log" >&2; die "the REST API did not accept the application password"; }
    fi
    sleep 0.1
  done
  die "php -S on 127.0.0.1:$WEB_PORT did not answer (log: $DIR/log/php-server.log)"
}

web_stop() {
  local pid
  if pid=$(live_pid "$DIR/run/php.pid"); then
    # The server and its workers are one process group of their own (setsid).
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 -- "-$pid" 2>/dev/null || true; fi
  fi
  rm -f "$DIR/run/php.pid"
}

# ---------------------------------------------------------------------------------------------

cmd_start() {
  check_packages
  mkdir -p "$DIR/run" "$DIR/log"
  load_state
  if live_pid "$DIR/run/php.pid" >/dev/null && live_pid "$DIR/run/mariadbd.pid" >/dev/null && db_ping \
     && [ -n "$APP_PASSWORD" ]; then
    web_check
    say "already running at http://127.0.0.1:$WEB_PORT"
    print_exports
    return 0
  fi
  web_stop  # a server left without its database is started again with the current settings
  db_start
  db_create
  if [ -z "$WEB_PORT" ] || ! port_free "$WEB_PORT"; then WEB_PORT=$(free_port); fi
  wp_files
  wp_install
  save_state
  web_start
  web_check
  say "WordPress $(php -r 'include $argv[1]; echo $wp_version;' "$WP_SRC/wp-includes/version.php") at http://127.0.0.1:$WEB_PORT (MariaDB on 127.0.0.1:$DB_PORT, socket $SOCKET)"
  print_exports
}

cmd_stop() {
  [ -d "$DIR" ] || return 0
  local pid
  # Both are told to stop first, then waited for: the two shutdowns overlap.
  if pid=$(live_pid "$DIR/run/php.pid"); then kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; fi
  db_stop
  web_stop
  say "stopped the peer in $DIR"
}

cmd_env() {
  load_state
  live_pid "$DIR/run/php.pid" >/dev/null && live_pid "$DIR/run/mariadbd.pid" >/dev/null \
    || die "no peer is running in $DIR"
  print_exports
}

[ $# -eq 2 ] || usage
case "$1" in
  start) mkdir -p "$2" ;;
  stop | env) [ -d "$2" ] || { echo "wordpress.sh: no directory $2" >&2; [ "$1" = stop ] && exit 0; exit 1; } ;;
  *) usage ;;
esac
DIR=$(cd "$2" && pwd)
SOCKET="$DIR/run/mysqld.sock"
if [ ${#SOCKET} -gt 100 ]; then
  die "the directory's path is too long for a Unix socket ($SOCKET): use a shorter one"
fi
case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  *) usage ;;
esac
