# store_bench: events/s through the store writer next to a raw SQLite baseline.
add_executable(store_bench ${CMAKE_CURRENT_LIST_DIR}/store_bench.cc)
target_link_libraries(store_bench PRIVATE timelined_store SQLite::SQLite3)
