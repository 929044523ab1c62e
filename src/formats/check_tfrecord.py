#!/usr/bin/python3
"""Checks TFRecord files with an implementation independent of Tessera's:
CRC-32C in pure Python and tf.train.Example parsed by the protobuf library
(Debian's python3-protobuf; the message types are declared here, no
TensorFlow). Prints each record's features; exits 1 on any bad CRC.

    /usr/bin/python3 src/formats/check_tfrecord.py out/*.tfrecord
"""
import struct
import sys

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def _crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = _crc_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def example_class():
    f = descriptor_pb2.FileDescriptorProto(name="example.proto", package="tensorflow", syntax="proto3")

    def msg(name, fields, nested=None):
        m = f.message_type.add(name=name)
        for number, fname, ftype, label, type_name, packed, oneof in fields:
            fd = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = type_name
            if packed:
                fd.options.packed = True
            if oneof is not None:
                fd.oneof_index = oneof
        return m

    rep, opt = F.LABEL_REPEATED, F.LABEL_OPTIONAL
    msg("BytesList", [(1, "value", F.TYPE_BYTES, rep, None, False, None)])
    msg("FloatList", [(1, "value", F.TYPE_FLOAT, rep, None, True, None)])
    msg("Int64List", [(1, "value", F.TYPE_INT64, rep, None, True, None)])
    feature = msg("Feature", [(1, "bytes_list", F.TYPE_MESSAGE, opt, ".tensorflow.BytesList", False, 0),
                              (2, "float_list", F.TYPE_MESSAGE, opt, ".tensorflow.FloatList", False, 0),
                              (3, "int64_list", F.TYPE_MESSAGE, opt, ".tensorflow.Int64List", False, 0)])
    feature.oneof_decl.add(name="kind")
    features = msg("Features", [(1, "feature", F.TYPE_MESSAGE, rep, ".tensorflow.Features.FeatureEntry", False, None)])
    entry = features.nested_type.add(name="FeatureEntry")
    entry.field.add(name="key", number=1, type=F.TYPE_STRING, label=opt)
    entry.field.add(name="value", number=2, type=F.TYPE_MESSAGE, label=opt, type_name=".tensorflow.Feature")
    entry.options.map_entry = True
    msg("Example", [(1, "features", F.TYPE_MESSAGE, opt, ".tensorflow.Features", False, None)])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("tensorflow.Example"))


def main(paths):
    Example = example_class()
    bad = 0
    for path in paths:
        data = open(path, "rb").read()
        at = index = 0
        while at < len(data):
            (length,) = struct.unpack_from("<Q", data, at)
            (length_crc,) = struct.unpack_from("<I", data, at + 8)
            payload = data[at + 12:at + 12 + length]
            (data_crc,) = struct.unpack_from("<I", data, at + 12 + length)
            ok = length_crc == masked(data[at:at + 8]) and data_crc == masked(payload)
            bad += not ok
            example = Example()
            example.ParseFromString(payload)
            shown = {}
            for key, feature in sorted(example.features.feature.items()):
                kind = feature.WhichOneof("kind")
                values = list(getattr(feature, kind).value) if kind else []
                if key == "image/encoded":
                    values = ["%d bytes" % len(v) for v in values]
                shown[key] = values
            print("%s record %d: CRCs %s %s" % (path, index, "ok" if ok else "BAD", shown))
            at += 12 + length + 4
            index += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
