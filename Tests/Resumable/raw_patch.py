"""One tus PATCH over a raw socket, step by step (cut-offs, stalls, chunked bodies).

usage: raw_patch.py CONFIG_JSON
config: port, path, token, body (file), headers {}, chunked (bool),
content_length (default: the body's), steps: [op, arg]:
  send N | rest | extra N | end | wait FILE | sleep S | close | response
Prints one JSON line: {"status": int or null, "head": text}.
"""
import json, os, socket, sys, time

cfg = json.loads(sys.argv[1])
body = open(cfg["body"], "rb").read() if cfg.get("body") else b""
chunked = cfg.get("chunked", False)
s = socket.create_connection(("127.0.0.1", cfg["port"]))
head = (f"{cfg.get('method', 'PATCH')} {cfg['path']} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {cfg['token']}\r\n"
        "Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n")
for name, value in cfg.get("headers", {}).items():
    head += f"{name}: {value}\r\n"
head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {cfg.get('content_length', len(body))}\r\n"
raw_head = head.encode("latin1") + bytes.fromhex(cfg.get("raw_header_hex", "")) + b"\r\n"
s.sendall(raw_head)
pos = 0

def send(data):
    if chunked:
        s.sendall(b"%x\r\n" % len(data) + data + b"\r\n")
    else:
        for i in range(0, len(data), 1 << 20):
            s.sendall(data[i:i + (1 << 20)])

for op, *arg in cfg["steps"]:
    if op == "send":
        send(body[pos:pos + arg[0]]); pos += arg[0]
    elif op == "rest":
        send(body[pos:]); pos = len(body)
    elif op == "restplus":
        send(body[pos:] + b"\0" * arg[0]); pos = len(body)
    elif op == "extra":
        send(b"\0" * arg[0])
    elif op == "end":
        s.sendall(b"0\r\n\r\n")
    elif op == "wait":
        while not os.path.exists(arg[0]):
            time.sleep(0.05)
    elif op == "sleep":
        time.sleep(arg[0])
    elif op == "close":
        s.close()
        print(json.dumps({"status": None, "head": ""}))
        sys.exit(0)
    elif op == "response":
        s.settimeout(60)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                more = s.recv(65536)
                if not more:
                    break
                data += more
        except OSError as error:
            data = data or str(error).encode()
        status = int(data.split(b" ")[1]) if data.startswith(b"HTTP/") else None
        print(json.dumps({"status": status, "head": data.split(b"\r\n\r\n")[0].decode("latin1")}))
        s.close()
        sys.exit(0)
print(json.dumps({"status": None, "head": "no response step"}))
