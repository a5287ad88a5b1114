# A real IMAP server for the suites that drive the release binary, as
# tests/common/imap.rs is for the Rust tests: Debian's Dovecot in the
# foreground with a configuration of its own, IMAP over TLS on 127.0.0.1 with a
# certificate of a throw-away authority (make_test_certificates, from
# tests/interop/tls_server.sh, which the caller sources), one user whose INBOX
# is a Maildir.
#
#   start_imap DIR MAILDIR   serves MAILDIR (made if missing) from a Dovecot
#                            whose files are in DIR; sets imap_port, imap_ca,
#                            imap_user, imap_password, imap_pid; returns 1 (the
#                            log printed) if it does not listen within 15 s
#   stop_imap                stops it

imap_user=mairie
imap_password=boite-de-test
imap_pid=""

start_imap() {
    local dir="$1" maildir="$2" internal login internal_group uid gid
    command -v dovecot >/dev/null || { echo "# dovecot is missing (Debian dovecot-imapd)" >&2; return 1; }
    mkdir -p "$dir/run" "$dir/state" "$dir/home" "$maildir/new" "$maildir/cur" "$maildir/tmp"
    make_test_certificates "$dir/certs" || return 1
    imap_ca="$dir/certs/ca.pem"
    imap_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    uid=$(id -u) gid=$(id -g)
    if [ "$uid" = 0 ]; then
        # As root, Dovecot's own unprivileged users, and the mailbox owned by
        # `dovecot` (Dovecot refuses to serve one as uid 0).
        internal=dovecot internal_group=dovecot login=dovenull
        uid=$(id -u dovecot) gid=$(id -g dovecot)
        chown -R "$uid:$gid" "$maildir" "$dir/home"
        chmod 0777 "$maildir/new" "$maildir/tmp"
        chmod 0755 "$(dirname "$maildir")" "$dir"
    else
        internal=$(id -un) internal_group=$gid login=$(id -un)
    fi
    cat >"$dir/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
ssl = required
ssl_cert = <$dir/certs/server.pem
ssl_key = <$dir/certs/server.key
default_internal_user = $internal
default_internal_group = $internal_group
default_login_user = $login
first_valid_uid = 0
first_valid_gid = 0
auth_mechanisms = plain
mail_location = maildir:$maildir
service imap-login {
  chroot =
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $imap_port
    ssl = yes
  }
}
service anvil {
  chroot =
}
passdb {
  driver = static
  args = password=$imap_password
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/home/%u
}
EOF
    dovecot -F -c "$dir/dovecot.conf" 2>>"$dir/dovecot.log" &
    imap_pid=$!
    for _ in $(seq 150); do
        python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', $imap_port), 0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "# dovecot did not start:" >&2
    tail -n 20 "$dir/dovecot.log" >&2
    return 1
}

stop_imap() {
    if [ -n "$imap_pid" ]; then
        kill "$imap_pid" 2>/dev/null
        wait "$imap_pid" 2>/dev/null
        imap_pid=""
    fi
}
