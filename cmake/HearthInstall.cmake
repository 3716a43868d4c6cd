# install() rules and the exported package: find_package(hearth) gives hearth::core,
# hearth::protocol and hearth::asio, and hearth::sqlite and hearth::conformance where they were
# built.
include(CMakePackageConfigHelpers)

set(HEARTH_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hearth)
set(hearth_targets hearth_core hearth_protocol hearth_asio)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/adapters/asio/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET hearth_sqlite)
  list(APPEND hearth_targets hearth_sqlite)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/adapters/sqlite/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
if(TARGET hearth_conformance)
  list(APPEND hearth_targets hearth_conformance)
endif()

install(TARGETS ${hearth_targets} EXPORT hearthTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT hearthTargets NAMESPACE hearth:: DESTINATION ${HEARTH_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hearthConfig.cmake.in
  ${PROJECT_BINARY_DIR}/hearthConfig.cmake INSTALL_DESTINATION ${HEARTH_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hearthConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hearthConfig.cmake ${PROJECT_BINARY_DIR}/hearthConfigVersion.cmake
  DESTINATION ${HEARTH_CMAKE_DIR})
