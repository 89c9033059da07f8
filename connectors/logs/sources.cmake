# Logs connector: pure parsers for pushed log batches (JSON array, NDJSON, json_stream,
# text/plain, Loki JSON and protobuf push, OTLP logs) and gzip and snappy decoding.
target_sources(timelined_connectors PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/gunzip.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_time.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_level.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_record.cc
  ${CMAKE_CURRENT_LIST_DIR}/log_parser.cc
  ${CMAKE_CURRENT_LIST_DIR}/loki.cc
  ${CMAKE_CURRENT_LIST_DIR}/otlp.cc
  ${CMAKE_CURRENT_LIST_DIR}/snappy.cc
)
