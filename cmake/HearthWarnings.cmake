# Warnings and sanitizers for hearth's own targets (never imposed on consumers).
function(hearth_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
      -Wconversion -Wsign-conversion
      -Wno-missing-field-initializers)  # designated initializers leave the rest at their defaults
    if(HEARTH_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(HEARTH_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # GCC 12 reports false maybe-uninitialized warnings in instrumented code (in
      # std::function inside std::regex, used by Catch2); its manual warns of this.
      target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    endif()
    if(HEARTH_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # Boost.Asio's fenced blocks use atomic_thread_fence, which GCC 12 warns TSan does not
      # model (-Wtsan); Asio's own synchronisation is by mutexes, which it does.
      target_compile_options(${target} PRIVATE -Wno-tsan)
    endif()
  endif()
endfunction()

# Test programs and the conformance kit: their time goes to compiling Catch2's expanded
# assertions, not to running them. In the optimised build they compile at -O1 with line tables
# (the kit: 55 against 114 s at -O2 -g here); under sanitizers at -O0 (the kit: 70 against
# 172 s at -O1), while the library they exercise keeps -O1 and every check. These come after the
# build type's and the sanitizers' flags, so they win.
function(hearth_test_code target)
  hearth_set_warnings(${target})
  if(HEARTH_SANITIZE)
    target_compile_options(${target} PRIVATE -O0)
  else()
    target_compile_options(${target} PRIVATE "$<$<CONFIG:RelWithDebInfo>:-O1;-g1>")
  endif()
endfunction()

# Boost.Beast's translation units (the WebSocket server, the load generator): under sanitizers
# their template instances compile in less than half the time at -O0 (websocket_session.cpp: 39
# against 84 s at -O1), with every check kept, and the tests that run them take seconds.
function(hearth_beast_code target)
  if(HEARTH_SANITIZE)
    target_compile_options(${target} PRIVATE -O0)
  endif()
endfunction()

if(HEARTH_SANITIZE)
  if(HEARTH_SANITIZE MATCHES "thread" AND HEARTH_SANITIZE MATCHES "address")
    message(FATAL_ERROR "HEARTH_SANITIZE: thread cannot be combined with address")
  endif()
  add_compile_options(-fsanitize=${HEARTH_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  # Instrumented code at -O2 with full debug information compiles about 3 times slower than at
  # -O1 with line tables (the conformance kit: 10.7 against 3.8 minutes here), and the reports
  # still name every line. These come after the build type's flags, so they win.
  add_compile_options(-O1 -g1)
  add_link_options(-fsanitize=${HEARTH_SANITIZE})
  # An instrumented position-independent executable spends half of its start-up relocating
  # its data (hearth_tests: 0.33 s, 0.17 s linked -no-pie), and CTest starts one process per
  # test case. AddressSanitizer supports fixed-address executables; ThreadSanitizer is left as
  # the compiler sets it up.
  if(HEARTH_SANITIZE MATCHES "address")
    add_link_options("$<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-no-pie>")
  endif()
endif()
