# kafka_bench: KafkaFeed -> mock cluster -> StoreConsumer -> SQLite next to LocalFeed -> SQLite.
add_executable(kafka_bench ${CMAKE_CURRENT_LIST_DIR}/kafka_bench.cc)
target_link_libraries(kafka_bench PRIVATE timelined_store PkgConfig::RDKAFKA spdlog::spdlog)
