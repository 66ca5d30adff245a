# Cross-compiles windash for 64-bit Windows with Debian's mingw-w64 (g++-mingw-w64-x86-64):
#   cmake -S . -B build-mingw -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
# The posix thread model gives std::this_thread; executables link libgcc, libstdc++ and
# winpthread statically, so wine or a bare Windows finds no missing DLL.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(WINDASH_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${WINDASH_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${WINDASH_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${WINDASH_MINGW_TRIPLE}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${WINDASH_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Boost (boost::system::result) and CLI11 are header-only and portable, but have no mingw
# package. Expose exactly those two folders of the host through a build-dir folder of
# symlinks added with -isystem: the rest of /usr/include (Linux headers) stays invisible.
set(WINDASH_MINGW_HOST_HEADERS "${CMAKE_BINARY_DIR}/mingw-host-headers")
foreach(dir boost CLI)
    if(EXISTS /usr/include/${dir} AND NOT EXISTS ${WINDASH_MINGW_HOST_HEADERS}/${dir})
        file(MAKE_DIRECTORY ${WINDASH_MINGW_HOST_HEADERS})
        file(CREATE_LINK /usr/include/${dir} ${WINDASH_MINGW_HOST_HEADERS}/${dir} SYMBOLIC)
    endif()
endforeach()
set(CMAKE_CXX_FLAGS_INIT "-isystem ${WINDASH_MINGW_HOST_HEADERS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
set(CMAKE_EXE_LINKER_FLAGS_RELEASE_INIT "-s")
