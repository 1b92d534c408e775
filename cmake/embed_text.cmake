# Writes OUTPUT, a C++ file defining `std::string_view twin::topology::builtin_catalog_json()`
# whose text is the content of INPUT (raw string literal; the delimiter must not appear in INPUT).
file(READ ${INPUT} TEXT)
string(FIND "${TEXT}" ")twinjson\"" CLASH)
if(NOT CLASH EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE ${OUTPUT} "// Generated from ${INPUT} by cmake/embed_text.cmake; do not edit.\n#include <string_view>\nnamespace twin::topology {\nstd::string_view builtin_catalog_json() {\n    static constexpr std::string_view text = R\"twinjson(${TEXT})twinjson\";\n    return text;\n}\n} // namespace twin::topology\n")
