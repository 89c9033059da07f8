# daemon/config: the TOML configuration (key table, secrets, validation) and bearer-token
# authentication. Included by daemon/CMakeLists.txt.
target_sources(timelined_daemon PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/auth.cc
  ${CMAKE_CURRENT_LIST_DIR}/config.cc
  ${CMAKE_CURRENT_LIST_DIR}/key_table.cc
)
