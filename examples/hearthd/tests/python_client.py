#!/usr/bin/env python3
"""A client that is not ours: Python's `websockets` (Debian's python3-websockets) against hearthd.

usage: python_client.py /path/to/hearthd
Starts hearthd in dev mode on a free loopback port with a new database, then over two
connections: Ada posts a thread in #raids, Bob (subscribed) receives the event and reads the
post; a frame that is not JSON gets bad_frame. Exits 0 on success, 1 on failure, 77 (skipped)
when the websockets module is missing.
"""
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import websockets
except ImportError:
    print("skipped: Python's websockets module is missing (apt-get install python3-websockets)")
    sys.exit(77)


class Client:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    async def call(self, method, **params):
        self.next_id += 1
        rid = f"py{self.next_id}"
        await self.ws.send(json.dumps({"id": rid, "method": method, "params": params}))
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
            if "event" in frame:
                self.events.append(frame["event"])
                continue
            assert frame["id"] == rid, frame
            if "error" in frame:
                raise AssertionError(f"{method}: {frame['error']}")
            return frame["result"]

    async def event(self):
        if self.events:
            return self.events.pop(0)
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
        assert "event" in frame, frame
        return frame["event"]


async def scenario(url):
    async with websockets.connect(url) as a, websockets.connect(url) as b:
        ada, bob = Client(a), Client(b)
        hello = await ada.call("hello", version=1, handle="ada")
        assert hello["member"]["handle"] == "ada" and hello["insecure"] is True, hello
        await bob.call("hello", version=1, handle="bob")
        found = await bob.call("find_spaces", text="raids", kind="channel")
        raids = found["items"][0]["space"]["id"]
        assert isinstance(raids, str) and raids.isdigit(), raids
        await bob.call("subscribe", spaces=[raids])
        made = await ada.call("create_thread", space=raids, title="From Python",
                              body="Hello from a client that is not ours")
        event = await bob.event()
        assert event["type"] == "thread_created", event
        assert event["payload"]["thread"] == made["thread"]["id"], event
        post = await bob.call("get_post", post=made["first_post"]["id"])
        assert post["body"] == "Hello from a client that is not ours", post
        await a.send("{not json")
        bad = json.loads(await asyncio.wait_for(a.recv(), 5))
        assert bad["id"] is None and bad["error"]["code"] == "bad_frame", bad


def main():
    hearthd = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([hearthd, "--dev", "--listen", "127.0.0.1:0",
                                 "--db", os.path.join(tmp, "py.db"), "--static", ""],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            url = None
            for line in proc.stdout:
                m = re.search(r"serving http://(127\.0\.0\.1:\d+)/", line)
                if m:
                    url = f"ws://{m.group(1)}/"
                    break
            assert url, "hearthd did not say where it serves"
            asyncio.run(asyncio.wait_for(scenario(url), 30))
        finally:
            proc.terminate()
            code = proc.wait(timeout=15)
        assert code == 0, f"hearthd exited with {code} on SIGTERM"
    print("python websockets client: ok")


if __name__ == "__main__":
    main()
