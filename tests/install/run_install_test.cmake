# Installs hearth into a scratch prefix, then configures, builds and runs a consumer project
# (tests/install/consumer) that uses find_package(hearth) and compiles the README's example.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}\n${out}\n${err}")
  endif()
endfunction()

run(${CMAKE_COMMAND} --install ${HEARTH_BINARY_DIR} --prefix ${prefix})

# The README's embedding example, as written there, between ```cpp and ```.
file(READ ${HEARTH_SOURCE_DIR}/README.md readme)
string(REGEX MATCH "```cpp\n(.*)```" block "${readme}")
if(NOT CMAKE_MATCH_1)
  message(FATAL_ERROR "README.md has no ```cpp block")
endif()
string(REGEX REPLACE "\n```.*" "\n" example "${CMAKE_MATCH_1}")
file(WRITE ${WORK_DIR}/readme_example.cpp "${example}")

set(flags "")
if(SANITIZE)
  set(flags "-fsanitize=${SANITIZE}")
endif()
run(${CMAKE_COMMAND} -S ${HEARTH_SOURCE_DIR}/tests/install/consumer -B ${WORK_DIR}/build
  -G ${CMAKE_GENERATOR} -DCMAKE_PREFIX_PATH=${prefix} -DREADME_EXAMPLE=${WORK_DIR}/readme_example.cpp
  "-DCMAKE_CXX_FLAGS=${flags}" "-DCMAKE_EXE_LINKER_FLAGS=${flags}")
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/readme_example)
run(${WORK_DIR}/build/consumer)
message(STATUS "consumer project built and ran against ${prefix}")
