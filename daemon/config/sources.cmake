# daemon/config: the TOML configuration (key table, secrets, validation) and bearer-token
# authentication. Included by daemon/CMakeLists.txt.
target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/auth.cc
  ${CMAKE_CURRENT_LIST_DIR}/config.cc
  ${CMAKE_CURRENT_LIST_DIR}/key_table.cc
  ${CMAKE_CURRENT_LIST_DIR}/pagerduty.cc
  ${CMAKE_CURRENT_LIST_DIR}/slack.cc
  ${CMAKE_CURRENT_LIST_DIR}/kubernetes.cc
  ${CMAKE_CURRENT_LIST_DIR}/kafka.cc
  ${CMAKE_CURRENT_LIST_DIR}/summarizer.cc
)
