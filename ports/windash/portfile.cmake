# Overlay port: builds windash from this checkout (vcpkg install windash
# --overlay-ports=<repo>/ports). A registry port would use vcpkg_from_github instead.
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DWINDASH_BUILD_TESTS=OFF
        -DWINDASH_BUILD_BENCH=OFF
        -DWINDASH_BUILD_EXAMPLES=OFF
        -DWINDASH_WERROR=OFF
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME windash CONFIG_PATH lib/cmake/windash)
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
