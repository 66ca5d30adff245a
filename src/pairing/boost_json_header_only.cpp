// Boost.JSON's implementation, compiled into windash::pairing for builds that have no
// Boost.JSON library to link (the mingw-w64 cross build): Boost's documented header-only mode.
#include <boost/json/src.hpp>
