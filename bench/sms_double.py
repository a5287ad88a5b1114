#!/usr/bin/env python3
"""A fast stand-in for a town's SMS provider, for bench/campaign.sh: an HTTP/1.1
server with keep-alive on asyncio's raw protocol (no framework), answering each
POST with {"id": "pN"} (after DELAY_MS milliseconds, 0 by default: a real provider's
latency); GET /count says how many SMS it took.
Usage: bench/sms_double.py PORT [DELAY_MS]"""
import asyncio
import sys

count = 0
delay = 0.0


class Provider(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buf = b""

    def data_received(self, data):
        global count
        self.buf += data
        while True:
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buf[:head_end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            end = head_end + 4 + length
            if len(self.buf) < end:
                return
            self.buf = self.buf[end:]
            if head.startswith("GET /count"):
                body = str(count).encode()
            else:
                count += 1
                body = b'{"id": "p%d"}' % count
            answer = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (len(body), body)
            )
            if delay and not head.startswith("GET /count"):
                asyncio.get_running_loop().call_later(delay, self.transport.write, answer)
            else:
                self.transport.write(answer)


async def main(port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Provider, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) > 2:
        delay = int(sys.argv[2]) / 1000
    asyncio.run(main(int(sys.argv[1])))
