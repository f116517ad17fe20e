"""`python -m demo.devices register | replay | truth`.

    register                      write the device registers of the demo street
    replay --days 7 --rate 1000   publish a replay to the broker (rate: messages/s, 0 unpaced)
    truth --days 7                print the planted situations
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime, timedelta, timezone

from demo.devices import registry
from demo.devices.publish import Publisher
from demo.devices.simulate import replay
from demo.devices.truth import situations

CST = timezone(timedelta(hours=8))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m demo.devices")
    parser.add_argument("command", choices=["register", "replay", "truth"])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--start", default=None, help="first day, YYYY-MM-DD (default: a week ago)")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0, help="messages per second; 0: unpaced")
    parser.add_argument("--broker", default=os.environ.get("HUB_MQTT_URL", "mqtt://127.0.0.1:1883"))
    parser.add_argument("--hub", default=os.environ.get("HUB_URL"))
    args = parser.parse_args()
    start = (datetime.fromisoformat(args.start).replace(tzinfo=CST) if args.start else
             datetime.now(CST).replace(hour=0, minute=0, second=0, microsecond=0)
             - timedelta(days=7))
    if args.command == "register":
        print(registry.write(args.data_dir, args.seed))
    elif args.command == "truth":
        for s in situations(args.seed, start, args.days, args.data_dir):
            print(s.kind, s.place_source_key, s.person_source_key or "-", s.start, s.end)
    else:
        secret = os.environ.get("HUB_LIGHTS_SECRET", "").encode() or None
        publisher = Publisher(args.broker, hub_url=args.hub, secret=secret)
        publisher.send_all(replay(args.seed, start, args.days, args.rate, args.data_dir))
        publisher.close()
        print(f"published {publisher.published}")


if __name__ == "__main__":
    main()
