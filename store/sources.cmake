target_sources(timelined_store PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/drafts.cc

  ${CMAKE_CURRENT_LIST_DIR}/bindings.cc
  ${CMAKE_CURRENT_LIST_DIR}/checkpointer.cc
  ${CMAKE_CURRENT_LIST_DIR}/local_feed.cc
  ${CMAKE_CURRENT_LIST_DIR}/log.cc
  ${CMAKE_CURRENT_LIST_DIR}/reader_pool.cc
  ${CMAKE_CURRENT_LIST_DIR}/rows.cc
  ${CMAKE_CURRENT_LIST_DIR}/schema.cc
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_util.cc
  ${CMAKE_CURRENT_LIST_DIR}/writer.cc
)

# Kafka feed, store consumer and the v1 event message (issue 5).
target_sources(timelined_store PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/kafka_client.cc
  ${CMAKE_CURRENT_LIST_DIR}/kafka_codec.cc
  ${CMAKE_CURRENT_LIST_DIR}/kafka_consumer.cc
  ${CMAKE_CURRENT_LIST_DIR}/kafka_feed.cc
)
target_link_libraries(timelined_store PUBLIC PkgConfig::RDKAFKA)
