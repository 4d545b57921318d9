"""Raw-socket HTTP/1.1 for sluice-serve's hostile-client tests: sends bytes exactly as given (no client
library normalises them) and parses whatever responses come back."""
import json
import socket
import time


def connect(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_until_close(sock, timeout=5.0):
    """Everything the server sends until it closes (closed=True) or `timeout` passes (closed=False)."""
    data = b""
    deadline = time.time() + timeout
    while True:
        left = deadline - time.time()
        if left <= 0:
            return data, False
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk


def parse_responses(data):
    """[(status, {lower-case header: value}, body)] for each complete response in `data` (Content-Length
    framing, which is all sluice-serve sends)."""
    out = []
    while data:
        head_end = data.find(b"\r\n\r\n")
        if head_end < 0:
            break
        lines = data[:head_end].decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        body = data[head_end + 4:head_end + 4 + n]
        out.append((status, headers, body))
        data = data[head_end + 4 + n:]
    return out


def exchange(port, raw, timeout=5.0):
    """Sends `raw` on a new connection, reads until the server closes or `timeout`; (responses, closed)."""
    s = connect(port)
    try:
        s.sendall(raw)
        data, closed = read_until_close(s, timeout)
    finally:
        s.close()
    return parse_responses(data), closed


def error_code(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """utime + stime of the process, in seconds."""
    import os
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
