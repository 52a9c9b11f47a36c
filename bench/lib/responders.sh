# Shared by bench/compare-strongswan.sh and bench/load/run.sh: two network namespaces joined by a
# veth pair, and a PSK responder in the second one, ours (`ikesharp daemon`) or Debian's strongSwan
# (charon with kernel-libipsec), with its DoS thresholds off (one load generator address makes
# many half-open SAs). Sourced; the caller sets: cli (ikesharp.dll), dir (a private temp dir),
# a and b (namespace names), addr_a and addr_b (their addresses in a /24), psk, and optionally
# cpu (taskset CPU list for the responder) and remote_ts (the responder's remote_ts); auth=pubkey
# with pki (a directory holding ca.crt, resp.crt, resp.key: see make_pki) for ECDSA certificates
# instead of the PSK; install_routes=yes and encap=yes for traffic through strongSwan's
# kernel-libipsec TUN (it carries ESP only in UDP: this kernel has no ESP).
# KE_REUSE_TIME (ours only) sets [daemon] ke_reuse_time, the responder's key exchange reuse (off by default).
# responder_cli, when set, is the ikesharp.dll our responder runs (another build); cli stays the load's.
# Sets pid to the responder's process (the daemon or charon itself).

netns_up() { # VETH_PREFIX
    ip netns del "$a" 2>/dev/null || true
    ip netns del "$b" 2>/dev/null || true
    ip netns add "$a"
    ip netns add "$b"
    ip link add "$1-va" netns "$a" type veth peer name "$1-vb" netns "$b"
    ip -n "$a" addr add "$addr_a/24" dev "$1-va" && ip -n "$a" link set "$1-va" up && ip -n "$a" link set lo up
    ip -n "$b" addr add "$addr_b/24" dev "$1-vb" && ip -n "$b" link set "$1-vb" up && ip -n "$b" link set lo up
    # The responder's protected LAN: kernel-libipsec routes each Child SA's policy from an address in it.
    ip -n "$b" link add lan type veth peer name lanp && ip -n "$b" addr add 10.2.0.1/24 dev lan && ip -n "$b" link set lan up && ip -n "$b" link set lanp up
}

netns_down() {
    ip netns del "$a" 2>/dev/null || true
    ip netns del "$b" 2>/dev/null || true
}

make_pki() { # DIR: a P-256 CA, resp.crt for $addr_b and init.crt for $addr_a (SAN = the address)
    mkdir -p "$1"
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$1/ca.key" -subj "/CN=IkeSharp bench CA" -days 3650 \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out "$1/ca.crt"
    for leaf in "resp $addr_b" "init $addr_a"; do
        set -- "$1" $leaf
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1/$2.key" 2>/dev/null
        openssl req -new -key "$1/$2.key" -subj "/CN=$2.bench.test" -out "$1/$2.csr"
        printf 'subjectAltName=IP:%s\nkeyUsage=critical,digitalSignature\n' "$3" > "$1/$2.ext"
        openssl x509 -req -in "$1/$2.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" -CAcreateserial -days 30 \
            -extfile "$1/$2.ext" -out "$1/$2.crt" 2>/dev/null
    done
    chmod 600 "$1"/*.key
}

stop_responder() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        pid=
    fi
}


start_responder() { # ours|strongswan PROPOSAL ESP
    pin=""
    [ -n "${cpu:-}" ] && pin="taskset -c $cpu"
    case "$1" in
    ours)
        cat > "$dir/responder.toml" <<TOML
[daemon]
control_socket = "$dir/ikesharp.sock"
tun_name = "ikbench0"
cookie_threshold = 1000000
cookie_threshold_ip = 1000000
block_threshold = 1000000
auth_failure_limit = 0
$([ -n "${KE_REUSE_TIME:-}" ] && echo "ke_reuse_time = \"$KE_REUSE_TIME\"")
[daemon.log]
default = "warn"
[connections.load]
local_addrs = ["$addr_b"]
proposals = ["$2"]
[connections.load.local]
auth = "${auth:-psk}"
id = "$addr_b"
$([ "${auth:-psk}" = pubkey ] && echo "certs = [\"$pki/resp.crt\"]")
[connections.load.remote]
auth = "${auth:-psk}"
id = "%any"
$([ "${auth:-psk}" = pubkey ] && echo "cacerts = [\"$pki/ca.crt\"]")
[connections.load.children.net]
local_ts = ["10.2.0.0/24"]
remote_ts = ["${remote_ts:-0.0.0.0/0}"]
esp_proposals = ["$3"]
[secrets.ike-load]
secret = "$psk"
$([ "${auth:-psk}" = pubkey ] && printf '[secrets.ecdsa-resp]\nfile = "%s"' "$pki/resp.key")
TOML
        chmod 600 "$dir/responder.toml"
        rm -f "$dir/ikesharp.sock"
        ip netns exec "$b" $pin dotnet "${responder_cli:-$cli}" daemon --config "$dir/responder.toml" > "$dir/responder.log" 2>&1 &
        pid=$!
        until [ -S "$dir/ikesharp.sock" ]; do sleep 0.2; kill -0 $pid || { cat "$dir/responder.log"; exit 1; }; done
        ;;
    strongswan)
        mkdir -p "$dir/run" "$dir/swanctl/x509" "$dir/swanctl/x509ca" "$dir/swanctl/private"
        swan_certs=
        if [ "${auth:-psk}" = pubkey ]; then
            cp "$pki/ca.crt" "$dir/swanctl/x509ca/ca.crt"
            cp "$pki/resp.crt" "$dir/swanctl/x509/resp.crt"
            cp "$pki/resp.key" "$dir/swanctl/private/resp.key"
            swan_certs="certs = resp.crt"
        fi
        rm -f "$dir/charon.vici"
        cat > "$dir/strongswan.conf" <<CONF
charon {
    load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey curve25519 aes sha1 sha2 hmac gcm gmp kdf kernel-libipsec kernel-netlink socket-default vici
    install_routes = ${install_routes:-no}
    dos_protection = no
    cookie_threshold = 1000000
    block_threshold = 1000000
    ikesa_table_size = 4096
    ikesa_table_segments = 16
    filelog { main { path = $dir/charon.log
                     flush_line = yes
                     default = ${CHARON_LOG_LEVEL:-0} } }
    plugins { vici { socket = unix://$dir/charon.vici } }
}
CONF
        cat > "$dir/swanctl/swanctl.conf" <<CONF
connections { load { local_addrs = $addr_b
                     proposals = $2
                     encap = ${encap:-no}
                     local { auth = ${auth:-psk}
                             id = $addr_b
                             $swan_certs }
                     remote { auth = ${auth:-psk} }
                     children { net { local_ts = 10.2.0.0/24
                                      remote_ts = ${remote_ts:-0.0.0.0/0}
                                      esp_proposals = $3 } } } }
secrets { ike-load { secret = "$psk" } }
CONF
        # charon's pid file and socket paths are compiled in: a private /run in a private mount namespace.
        ip netns exec "$b" $pin unshare --mount --propagation private /bin/sh -c \
            "mount --bind '$dir/run' /run && exec env STRONGSWAN_CONF='$dir/strongswan.conf' /usr/lib/ipsec/charon" > "$dir/charon.out" 2>&1 &
        pid=$!
        until [ -S "$dir/charon.vici" ]; do sleep 0.2; kill -0 $pid || { cat "$dir/charon.out"; exit 1; }; done
        SWANCTL_DIR="$dir/swanctl" swanctl --load-all --noprompt --uri "unix://$dir/charon.vici" > "$dir/swanctl.log" 2>&1
        ;;
    *)
        echo "responder must be ours (ikesharp) or strongswan" >&2
        exit 2
        ;;
    esac
}
