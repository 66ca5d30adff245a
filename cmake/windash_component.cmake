# windash_add_component(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
#
# Makes the library target windash_<name> with alias windash::<name>, exported as
# windash::<name> from the installed package. Public headers live in include/windash/<name>/;
# warnings are PRIVATE so consumers never inherit them.
include_guard(GLOBAL)

set(WINDASH_WARNINGS
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Wold-style-cast
    -Wnon-virtual-dtor)
# GCC 12 reports impossible overlaps in inlined std::string concatenation at -O3
# (GCC bug 105329), so -Wrestrict cannot be an error there.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    list(APPEND WINDASH_WARNINGS -Wno-restrict)
endif()

function(windash_warnings target)
    target_compile_options(${target} PRIVATE ${WINDASH_WARNINGS})
    if(WINDASH_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

function(windash_add_component name)
    cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
    set(target windash_${name})
    add_library(${target} ${ARG_SOURCES})
    add_library(windash::${name} ALIAS ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME windash_${name}
                                               POSITION_INDEPENDENT_CODE ON)
    target_compile_features(${target} PUBLIC cxx_std_20)
    target_include_directories(${target} PUBLIC
        $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
        $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
        PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    windash_warnings(${target})
    install(TARGETS ${target} EXPORT windashTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    set_property(GLOBAL APPEND PROPERTY WINDASH_COMPONENTS windash::${name})
endfunction()

# windash_find_dependency(<find_package arguments>): find_package now, and have the installed
# windashConfig.cmake call find_dependency with the same arguments (static libraries carry
# their private dependencies to the consumer's link line).
macro(windash_find_dependency)
    find_package(${ARGV} REQUIRED)
    set(windash_dependency_args "${ARGV}")
    list(JOIN windash_dependency_args " " windash_dependency_args)
    set_property(GLOBAL APPEND PROPERTY WINDASH_PACKAGE_DEPENDENCIES
                 "find_dependency(${windash_dependency_args})")
endmacro()
