# Differential-oracle driver: runs h2flow's JSON scenarios through python h2 (Debian's 4.1.0) in one
# process. Input on stdin: {"events": {EventName: [snake_field, ...]}, "scenarios": [...]}.
# Output on stdout: {"version": h2 version, "records": [{"name": ..., "steps": [{"out": hex, "ev"?, "err"?, "res"?}]}]}.
# Read at runtime by test/core/oracle.test.ts (test/support/oracle/run.ts); see scenarios.ts for the ops.
import base64
import enum
import json
import sys

import h2
import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from hpack import NeverIndexedHeaderTuple

INPUT = json.load(sys.stdin)
EVENT_FIELDS = INPUT["events"]


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def norm_headers(headers):
    out = []
    for h in headers:
        n, v = h[0], h[1]
        n = n.decode("latin-1") if isinstance(n, (bytes, bytearray)) else n
        v = v.decode("latin-1") if isinstance(v, (bytes, bytearray)) else v
        out.append([n, v, 1] if isinstance(h, NeverIndexedHeaderTuple) else [n, v])
    return out


def norm_value(key, v):
    if v is None or isinstance(v, bool):
        return v
    if key == "headers":
        return norm_headers(v)
    if key == "changed_settings":
        return sorted([int(c.setting), c.original_value, c.new_value] for c in v.values())
    if key == "frame":
        return {"type": v.type, "streamId": v.stream_id}
    if isinstance(v, h2.events.Event):
        return norm_event(v)
    if isinstance(v, enum.Enum):
        return int(v.value)
    if isinstance(v, int):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).hex()
    if isinstance(v, str):
        return v
    raise TypeError(f"cannot normalise {key}={v!r}")


def norm_event(ev):
    name = type(ev).__name__
    fields = EVENT_FIELDS.get(name)
    if fields is None:
        raise TypeError(f"unknown event {name}")
    out = {"type": name}
    for f in fields:
        out[camel(f)] = norm_value(f, getattr(ev, f, None))
    return out


def norm_error(e):
    code = getattr(e, "error_code", None)
    return {
        "cls": type(e).__name__,
        "h2": isinstance(e, h2.exceptions.H2Error),
        "code": None if code is None else int(code),
        "msg": str(e),
    }


def enc_headers(headers):
    out = []
    for h in headers:
        n, v = h[0].encode("latin-1"), h[1].encode("latin-1")
        out.append(NeverIndexedHeaderTuple(n, v) if len(h) > 2 and h[2] else (n, v))
    return out


def opt(step, key, default=None):
    return step[key] if key in step else default


def run_step(conn, s):
    op = s["op"]
    if op == "initiateConnection":
        return conn.initiate_connection()
    if op == "initiateUpgradeConnection":
        header = opt(s, "settingsHeader")
        r = conn.initiate_upgrade_connection(None if header is None else header.encode("latin-1"))
        return None if r is None else r.decode("latin-1")
    if op == "getNextAvailableStreamId":
        return conn.get_next_available_stream_id()
    if op == "sendHeaders":
        kw = {}
        for k, py in (("priorityWeight", "priority_weight"), ("priorityDependsOn", "priority_depends_on"), ("priorityExclusive", "priority_exclusive")):
            if k in s:
                kw[py] = s[k]
        return conn.send_headers(s["streamId"], enc_headers(s["headers"]), end_stream=opt(s, "endStream", False), **kw)
    if op == "sendData":
        kw = {"pad_length": s["padLength"]} if "padLength" in s else {}
        return conn.send_data(s["streamId"], bytes.fromhex(s["data"]), end_stream=opt(s, "endStream", False), **kw)
    if op == "sendDataFrames":
        # h2flow's sendDataFrames (beyond h2) is defined as h2's send_data on each slice of at most
        # max_outbound_frame_size bytes, END_STREAM on the last, after one window check for the whole run.
        data = bytes.fromhex(s["data"])
        sid = s["streamId"]
        window = conn.local_flow_control_window(sid)
        if len(data) > 0 and len(data) > window:
            raise h2.exceptions.FlowControlError("Cannot send %d bytes, flow control window is %d" % (len(data), window))
        size = conn.max_outbound_frame_size
        end = opt(s, "endStream", False)
        o = 0
        while True:
            chunk = data[o:o + size]
            o += len(chunk)
            conn.send_data(sid, chunk, end_stream=end and o >= len(data))
            if o >= len(data):
                return None
    if op == "endStream":
        return conn.end_stream(s["streamId"])
    if op == "pushStream":
        return conn.push_stream(s["streamId"], s["promisedStreamId"], enc_headers(s["headers"]))
    if op == "resetStream":
        return conn.reset_stream(s["streamId"], opt(s, "errorCode", 0))
    if op == "incrementFlowControlWindow":
        return conn.increment_flow_control_window(s["increment"], stream_id=opt(s, "streamId"))
    if op == "localFlowControlWindow":
        return conn.local_flow_control_window(s["streamId"])
    if op == "remoteFlowControlWindow":
        return conn.remote_flow_control_window(s["streamId"])
    if op == "acknowledgeReceivedData":
        return conn.acknowledge_received_data(s["size"], s["streamId"])
    if op == "ping":
        return conn.ping(bytes.fromhex(s["data"]))
    if op == "closeConnection":
        kw = {"error_code": opt(s, "errorCode", 0)}
        if "additionalData" in s:
            kw["additional_data"] = bytes.fromhex(s["additionalData"])
        if "lastStreamId" in s:
            kw["last_stream_id"] = s["lastStreamId"]
        return conn.close_connection(**kw)
    if op == "updateSettings":
        return conn.update_settings({k: v for k, v in s["settings"]})
    if op == "advertiseAlternativeService":
        kw = {}
        if "origin" in s:
            kw["origin"] = s["origin"].encode("latin-1")
        if "streamId" in s:
            kw["stream_id"] = s["streamId"]
        return conn.advertise_alternative_service(s["fieldValue"].encode("latin-1"), **kw)
    if op == "prioritize":
        kw = {k2: s[k1] for k1, k2 in (("weight", "weight"), ("dependsOn", "depends_on"), ("exclusive", "exclusive")) if k1 in s}
        return conn.prioritize(s["streamId"], **kw)
    if op == "clearOutboundDataBuffer":
        return conn.clear_outbound_data_buffer()
    if op == "dataToSend":
        return conn.data_to_send(s["amount"]).hex()
    if op == "receive":
        return conn.receive_data(bytes.fromhex(s["hex"]))
    if op == "query":
        what = s["what"]
        if what in ("localSettings", "remoteSettings"):
            settings = conn.local_settings if what == "localSettings" else conn.remote_settings
            return sorted([int(k), v] for k, v in settings.items())
        return getattr(conn, {
            "openOutboundStreams": "open_outbound_streams",
            "openInboundStreams": "open_inbound_streams",
            "inboundFlowControlWindow": "inbound_flow_control_window",
            "maxOutboundFrameSize": "max_outbound_frame_size",
            "maxInboundFrameSize": "max_inbound_frame_size",
        }[what])
    raise ValueError(f"unknown op {op}")


CONFIG_KEYS = {
    "clientSide": "client_side",
    "headerEncoding": "header_encoding",
    "validateOutboundHeaders": "validate_outbound_headers",
    "normalizeOutboundHeaders": "normalize_outbound_headers",
    "validateInboundHeaders": "validate_inbound_headers",
    "normalizeInboundHeaders": "normalize_inbound_headers",
}


def run_scenario(sc):
    cfg = {"client_side": sc["role"] == "client"}
    for k, v in sc.get("config", {}).items():
        if k in CONFIG_KEYS:
            cfg[CONFIG_KEYS[k]] = v
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(**cfg))
    steps = []
    for s in sc["steps"]:
        rec = {}
        try:
            r = run_step(conn, s)
            if s["op"] == "receive":
                rec["ev"] = [norm_event(e) for e in r]
            elif r is not None:
                rec["res"] = r
        except Exception as e:  # noqa: BLE001 - every exception is part of the observed behaviour
            rec["err"] = norm_error(e)
        rec["out"] = conn.data_to_send().hex()
        steps.append(rec)
    return {"name": sc["name"], "steps": steps}


json.dump({"version": h2.__version__, "records": [run_scenario(sc) for sc in INPUT["scenarios"]]}, sys.stdout)
