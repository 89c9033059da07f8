add_executable(webhook_bench ${CMAKE_CURRENT_LIST_DIR}/webhook_bench.cc)
target_link_libraries(webhook_bench PRIVATE timelined_daemon)
