# windash_npm_ci(<folder> <file>...): at build time, `npm ci` of the package.json and
# package-lock.json in CMAKE_CURRENT_SOURCE_DIR into <folder> (exact versions and integrity
# hashes from the lock file; install scripts never run); <file>s (under <folder>) are what
# depends on it. Sets WINDASH_NPM; without npm it is false and nothing is added.
find_program(WINDASH_NPM npm)
function(windash_npm_ci folder)
    set(source ${CMAKE_CURRENT_SOURCE_DIR})
    add_custom_command(
        OUTPUT ${ARGN}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${folder}
        COMMAND ${CMAKE_COMMAND} -E copy ${source}/package.json ${source}/package-lock.json
                ${folder}
        COMMAND ${WINDASH_NPM} ci --prefix ${folder} --ignore-scripts --no-audit --no-fund
                --loglevel=error
        DEPENDS ${source}/package.json ${source}/package-lock.json
        COMMENT "npm ci in ${folder}"
        VERBATIM)
endfunction()
