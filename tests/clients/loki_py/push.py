#!/usr/bin/env python3
"""Pushes log lines to a Loki push endpoint the way Promtail, Grafana Alloy and Vector's loki
sink do: a logproto.PushRequest serialised by Google's protobuf runtime (Debian's
python3-protobuf), snappy block-compressed by python3-snappy, POSTed as
application/x-protobuf. The message types are declared here from Loki's push.proto field
numbers (pkg/push/push.proto) and built at run time, so no protoc is needed.

Usage: push.py URL            prints "pushed 2 entries: HTTP <status>" and exits 0 on 2xx
"""
import sys
import urllib.error
import urllib.request

import snappy
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2

F = descriptor_pb2.FieldDescriptorProto


def message(fdp, name, fields):
    m = fdp.message_type.add(name=name)
    for number, (fname, ftype, label, type_name) in enumerate(fields, 1):
        f = m.field.add(name=fname, number=number, type=ftype, label=label)
        if type_name:
            f.type_name = type_name


def push_request_class():
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
    fdp = descriptor_pb2.FileDescriptorProto(name="push.proto", package="logproto",
                                             dependency=["google/protobuf/timestamp.proto"],
                                             syntax="proto3")
    one, many = F.LABEL_OPTIONAL, F.LABEL_REPEATED
    message(fdp, "LabelPairAdapter", [("name", F.TYPE_STRING, one, ""),
                                      ("value", F.TYPE_STRING, one, "")])
    message(fdp, "EntryAdapter", [("timestamp", F.TYPE_MESSAGE, one, ".google.protobuf.Timestamp"),
                                  ("line", F.TYPE_STRING, one, ""),
                                  ("structuredMetadata", F.TYPE_MESSAGE, many,
                                   ".logproto.LabelPairAdapter")])
    message(fdp, "StreamAdapter", [("labels", F.TYPE_STRING, one, ""),
                                   ("entries", F.TYPE_MESSAGE, many, ".logproto.EntryAdapter"),
                                   ("hash", F.TYPE_UINT64, one, "")])
    message(fdp, "PushRequest", [("streams", F.TYPE_MESSAGE, many, ".logproto.StreamAdapter")])
    pool.Add(fdp)
    descriptor = pool.FindMessageTypeByName("logproto.PushRequest")
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def main():
    url = sys.argv[1]
    request = push_request_class()()
    stream = request.streams.add(labels='{app="checkout", level="error", namespace="prod"}')
    first = stream.entries.add(line="payment timeout (python client)")
    first.timestamp.seconds, first.timestamp.nanos = 1773480070, 482913000
    second = stream.entries.add(line="payment timeout again (python client)")
    second.timestamp.seconds = 1773480071
    second.structuredMetadata.add(name="trace_id", value="abc123")
    body = snappy.compress(request.SerializeToString())
    http = urllib.request.Request(url, data=body, method="POST",
                                  headers={"Content-Type": "application/x-protobuf"})
    try:
        with urllib.request.urlopen(http, timeout=10) as response:
            print("pushed 2 entries: HTTP %d" % response.status)
    except urllib.error.HTTPError as e:
        print("push failed: HTTP %d %s" % (e.code, e.read().decode(errors="replace")))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
