"""What sqlx's extended-protocol messages meet in PgBouncer's transaction mode, shown with two
clients speaking the PostgreSQL protocol by hand (standard library only). Run by
bench/pgbouncer.sh against PgBouncer in transaction mode:

    python3 bench/pgbouncer_protocol.py HOST PORT DATABASE USER

sqlx 0.8 runs a query with arguments in two steps, each closed by a Sync: Parse (and Describe)
of the statement, then Bind and Execute. A statement is named (sqlx_s_1, sqlx_s_2, ... counted
per connection) unless the query is built with `.persistent(false)`, which uses the unnamed
statement. In transaction mode PgBouncer gives the server connection back to its pool at every
Sync that leaves no transaction open, so the two steps may meet different server connections,
and one server connection is shared by several client connections in turn.
"""

import socket
import struct
import sys


class Client:
    def __init__(self, host, port, database, user):
        self.s = socket.create_connection((host, port), timeout=10)
        body = struct.pack("!i", 196608) + b"".join(
            k.encode() + b"\0" + v.encode() + b"\0" for k, v in (("user", user), ("database", database))) + b"\0"
        self.s.sendall(struct.pack("!i", len(body) + 4) + body)
        self.until_ready()

    def send(self, kind, body=b""):
        self.s.sendall(kind + struct.pack("!i", len(body) + 4) + body)

    def recv(self):
        head = self._read(5)
        kind, size = head[:1], struct.unpack("!i", head[1:])[0]
        return kind, self._read(size - 4)

    def _read(self, n):
        out = b""
        while len(out) < n:
            chunk = self.s.recv(n - len(out))
            if not chunk:
                raise ConnectionError("closed")
            out += chunk
        return out

    def until_ready(self):
        """Reads to ReadyForQuery: (rows, error message or None)."""
        rows, error = [], None
        while True:
            kind, body = self.recv()
            if kind == b"E":
                fields = dict((f[:1], f[1:].decode()) for f in body.split(b"\0") if f)
                error = fields.get(b"M")
            elif kind == b"D":
                n = struct.unpack("!h", body[:2])[0]
                pos, row = 2, []
                for _ in range(n):
                    size = struct.unpack("!i", body[pos:pos + 4])[0]
                    pos += 4
                    row.append(None if size < 0 else body[pos:pos + size].decode())
                    pos += max(size, 0)
                rows.append(row)
            elif kind == b"Z":
                return rows, error

    def parse(self, name, sql):
        """Parse, Describe and Sync, as sqlx prepares a statement."""
        self.send(b"P", name.encode() + b"\0" + sql.encode() + b"\0" + struct.pack("!h", 0))
        self.send(b"D", b"S" + name.encode() + b"\0")
        self.send(b"S")
        return self.until_ready()[1]

    def execute(self, name, arg):
        """Bind, Execute, Close of the portal and Sync, as sqlx runs it (one text argument)."""
        a = arg.encode()
        self.send(b"B", b"\0" + name.encode() + b"\0" + struct.pack("!hhi", 0, 1, len(a)) + a + struct.pack("!h", 0))
        self.send(b"E", b"\0" + struct.pack("!i", 0))
        self.send(b"C", b"P\0")
        self.send(b"S")
        rows, error = self.until_ready()
        return error or (rows[0][0] if rows else None)

    def simple(self, sql):
        self.send(b"Q", sql.encode() + b"\0")
        return self.until_ready()


def main():
    host, port, database, user = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    a, b = Client(host, port, database, user), Client(host, port, database, user)
    qa, qb = "SELECT 'statement of A: ' || $1::text", "SELECT 'statement of B: ' || $1::text"

    print("1. named statements, as sqlx runs a query by default (each connection counts from sqlx_s_1):")
    print("   A prepares sqlx_s_1:", a.parse("sqlx_s_1", qa) or "ok")
    print("   B prepares sqlx_s_1:", b.parse("sqlx_s_1", qb) or "ok")
    b.simple("BEGIN")
    print("   A runs sqlx_s_1 while B is in a transaction:", a.execute("sqlx_s_1", "A's argument"))
    b.simple("COMMIT")

    print("2. the unnamed statement, as a query built with .persistent(false) runs, outside a transaction:")
    print("   A prepares the unnamed statement:", a.parse("", qa) or "ok")
    print("   B prepares the unnamed statement:", b.parse("", qb) or "ok")
    print("   A runs the unnamed statement:", a.execute("", "A's argument"))
    print("   A prepares the unnamed statement:", a.parse("", qa) or "ok")
    b.simple("BEGIN")
    print("   A runs it while B is in a transaction:", a.execute("", "A's argument"))
    b.simple("COMMIT")

    print("3. the unnamed statement inside a transaction of A's own:")
    a.simple("BEGIN")
    print("   A prepares the unnamed statement:", a.parse("", qa) or "ok")
    print("   B prepares the unnamed statement:", b.parse("", qb) or "ok")
    print("   A runs the unnamed statement:", a.execute("", "A's argument"))
    a.simple("COMMIT")


if __name__ == "__main__":
    main()
