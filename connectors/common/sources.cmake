# connectors/common: generic helpers shared by every connector (headers, JSON accessors,
# retry policy, the outbound HTTP(S) client).
target_sources(timelined_connectors PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/event_limits.cc
  ${CMAKE_CURRENT_LIST_DIR}/headers.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_client.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_retry.cc
  ${CMAKE_CURRENT_LIST_DIR}/json_text.cc
  ${CMAKE_CURRENT_LIST_DIR}/json_util.cc
  ${CMAKE_CURRENT_LIST_DIR}/protobuf_reader.cc
  ${CMAKE_CURRENT_LIST_DIR}/retry.cc
  ${CMAKE_CURRENT_LIST_DIR}/url.cc
  ${CMAKE_CURRENT_LIST_DIR}/workload.cc
)
