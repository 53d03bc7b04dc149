# Turns db/migrations/NNNN_name.{up,down}.sql into a C++ source file that
# defines gantry::pg::detail::embeddedMigrations(). Run with
#   cmake -DMIGRATIONS_DIR=<dir> -DOUTPUT=<file.cpp> -P embed_migrations.cmake
# Fails the build when a file is misnamed or a version lacks its up or down
# half, so a broken migration set never reaches a binary.
cmake_minimum_required(VERSION 3.25)

if(NOT MIGRATIONS_DIR OR NOT OUTPUT)
  message(FATAL_ERROR "embed_migrations.cmake needs MIGRATIONS_DIR and OUTPUT")
endif()

set(delimiter "gantry_sql")
file(GLOB files RELATIVE ${MIGRATIONS_DIR} ${MIGRATIONS_DIR}/*.sql)
list(SORT files)

set(versions "")
foreach(file IN LISTS files)
  if(NOT file MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.(up|down)\\.sql$")
    message(FATAL_ERROR
      "db/migrations/${file}: expected NNNN_name.up.sql or NNNN_name.down.sql "
      "(four digits, lower-case name with underscores)")
  endif()
  set(version_text ${CMAKE_MATCH_1})
  set(name ${CMAKE_MATCH_2})
  set(direction ${CMAKE_MATCH_3})
  math(EXPR version "${version_text}")  # drops leading zeros
  if(version EQUAL 0)
    message(FATAL_ERROR "db/migrations/${file}: version 0000 is reserved for the empty schema")
  endif()
  if(DEFINED name_${version} AND NOT name_${version} STREQUAL name)
    message(FATAL_ERROR
      "db/migrations: version ${version_text} has two names, '${name_${version}}' and '${name}'")
  endif()
  set(name_${version} ${name})
  file(READ ${MIGRATIONS_DIR}/${file} sql)
  string(FIND "${sql}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "db/migrations/${file}: contains the raw-string delimiter ')${delimiter}\"'")
  endif()
  set(${direction}_${version} "${sql}")
  list(APPEND versions ${version})
endforeach()
list(REMOVE_DUPLICATES versions)
list(SORT versions COMPARE NATURAL)

set(out "// Generated from db/migrations by common/pg/cmake/embed_migrations.cmake.\n")
string(APPEND out "// Do not edit: change the .sql files instead.\n")
string(APPEND out "#include \"embedded_migrations.h\"\n\n")
string(APPEND out "namespace gantry::pg::detail {\n\n")
string(APPEND out "std::vector<Migration> embeddedMigrations() {\n")
string(APPEND out "  std::vector<Migration> migrations;\n")
foreach(version IN LISTS versions)
  if(NOT DEFINED up_${version} OR NOT DEFINED down_${version})
    message(FATAL_ERROR
      "db/migrations: version ${version} (${name_${version}}) needs both an .up.sql and a .down.sql file")
  endif()
  string(APPEND out "  migrations.push_back(Migration{\n")
  string(APPEND out "      ${version},\n")
  string(APPEND out "      \"${name_${version}}\",\n")
  string(APPEND out "      R\"${delimiter}(${up_${version}})${delimiter}\",\n")
  string(APPEND out "      R\"${delimiter}(${down_${version}})${delimiter}\"});\n")
endforeach()
string(APPEND out "  return migrations;\n")
string(APPEND out "}\n\n")
string(APPEND out "}  // namespace gantry::pg::detail\n")

# Write through a temporary file so an unchanged migration set does not
# touch the output and recompile the library.
file(WRITE ${OUTPUT}.tmp "${out}")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.tmp)
