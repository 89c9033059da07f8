# kafka_roles_bench: HTTP → ingest role → Kafka (mock) → store role → SQLite, next to HTTP →
# all (LocalFeed) → SQLite, and the backlog under a sustained load at half the Kafka rate.
add_executable(kafka_roles_bench ${CMAKE_CURRENT_LIST_DIR}/kafka_roles_bench.cc)
target_link_libraries(kafka_roles_bench PRIVATE timelined_daemon PkgConfig::RDKAFKA)
