#include "connectors/common/protobuf_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/connectors/common/proto_writer.h"

namespace timelined::connectors {
namespace {

using testing::LenField;
using testing::Varint;
using testing::VarintField;

std::vector<ProtoField> ReadAll(std::string_view bytes, bool* failed) {
  ProtoReader r(bytes);
  std::vector<ProtoField> out;
  ProtoField f;
  while (r.Next(&f)) out.push_back(f);
  *failed = r.failed();
  return out;
}

TEST(ProtoReader, ReadsEachWireType) {
  const std::string i32 = std::string("\x1d", 1) + std::string("\x01\x02\x03\x04", 4);
  const std::string i64 =
      std::string("\x21", 1) + std::string("\x01\x00\x00\x00\x00\x00\x00\x80", 8);
  const std::string bytes =
      VarintField(1, 150) + LenField(2, "hi") + i32 + i64 + VarintField(536870911, UINT64_MAX);
  bool failed = true;
  auto fields = ReadAll(bytes, &failed);
  EXPECT_FALSE(failed);
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0].number, 1u);
  EXPECT_EQ(fields[0].type, WireType::kVarint);
  EXPECT_EQ(fields[0].value, 150u);
  EXPECT_EQ(fields[1].type, WireType::kLen);
  EXPECT_EQ(fields[1].bytes, "hi");
  EXPECT_EQ(fields[2].number, 3u);
  EXPECT_EQ(fields[2].type, WireType::kI32);
  EXPECT_EQ(fields[2].value, 0x04030201u);
  EXPECT_EQ(fields[3].number, 4u);
  EXPECT_EQ(fields[3].type, WireType::kI64);
  EXPECT_EQ(fields[3].value, 0x8000000000000001u);
  EXPECT_EQ(fields[4].number, 536870911u);
  EXPECT_EQ(fields[4].value, UINT64_MAX);
}

// A negative int32/int64 is written as the ten-byte varint of its two's complement.
TEST(ProtoReader, NegativeVarints) {
  const std::string bytes = VarintField(2, static_cast<uint64_t>(int64_t{-5}));
  EXPECT_EQ(bytes.size(), 11u);
  bool failed = true;
  auto fields = ReadAll(bytes, &failed);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(AsInt64(fields[0].value), -5);
}

TEST(ProtoReader, EmptyInputIsAnEmptyMessage) {
  bool failed = true;
  EXPECT_TRUE(ReadAll("", &failed).empty());
  EXPECT_FALSE(failed);
}

TEST(ProtoReader, MalformedInputFails) {
  struct Case {
    const char* name;
    std::string bytes;
  } cases[] = {
      {"truncated varint", VarintField(1, 300).substr(0, 2)},
      {"varint over 10 bytes", std::string("\x08", 1) + std::string(10, '\xff') + "\x01"},
      {"tenth byte over 1", std::string("\x08", 1) + std::string(9, '\xff') + "\x02"},
      {"length past the end", LenField(2, "hello").substr(0, 4)},
      {"huge length", std::string("\x12", 1) + Varint(UINT64_MAX)},
      {"field number 0", VarintField(0, 1)},
      {"start group", std::string("\x0b", 1)},
      {"end group", std::string("\x0c", 1)},
      {"wire type 6", std::string("\x0e", 1)},
      {"truncated i64", std::string("\x09\x01\x02", 3)},
      {"truncated i32", std::string("\x0d\x01", 2)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    bool failed = false;
    ReadAll(VarintField(1, 7) + c.bytes, &failed);
    EXPECT_TRUE(failed);
  }
}

TEST(ProtoReader, StaysFailed) {
  // The reader keeps a view: the bytes must outlive it.
  const std::string bytes = std::string("\x0b", 1) + VarintField(1, 1);
  ProtoReader r(bytes);
  ProtoField f;
  EXPECT_FALSE(r.Next(&f));
  EXPECT_TRUE(r.failed());
  EXPECT_FALSE(r.Next(&f));
}

}  // namespace
}  // namespace timelined::connectors
