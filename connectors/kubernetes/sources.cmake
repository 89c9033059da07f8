# Kubernetes connector: pure Event parser + kubectl importer, and the list-then-watch client.
target_sources(timelined_connectors PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/event_parser.cc
  ${CMAKE_CURRENT_LIST_DIR}/kubectl_import.cc
  ${CMAKE_CURRENT_LIST_DIR}/mini_yaml.cc
  ${CMAKE_CURRENT_LIST_DIR}/credentials.cc
  ${CMAKE_CURRENT_LIST_DIR}/watcher.cc
)
