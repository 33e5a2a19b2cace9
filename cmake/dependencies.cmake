# Every dependency is a Debian package; nothing is downloaded at build time.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS json url)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
pkg_check_modules(XCRYPT REQUIRED IMPORTED_TARGET libxcrypt)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)
# Full-stack flash sale: hiredis has no usable CMake target in Debian (see docs/architecture.md).
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis>=0.14)
find_package(rabbitmq-c CONFIG REQUIRED)

# SOCI 4.0 ships neither a CMake config nor a .pc file.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIB soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIB soci_sqlite3 REQUIRED)
find_library(SOCI_MYSQL_LIB soci_mysql REQUIRED)
add_library(gomall_soci INTERFACE)
target_include_directories(gomall_soci SYSTEM INTERFACE ${SOCI_INCLUDE_DIR})
target_link_libraries(gomall_soci INTERFACE ${SOCI_SQLITE3_LIB} ${SOCI_MYSQL_LIB} ${SOCI_CORE_LIB}
  PkgConfig::SQLITE3 PkgConfig::MARIADB Boost::headers ${CMAKE_DL_LIBS})

if(GOMALL_BUILD_TESTS OR NOT DEFINED GOMALL_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()

# Services mode: protobuf through CMake's FindProtobuf (Debian 12 ships no protobuf CMake config),
# gRPC through pkg-config (Debian 12's libgrpc++-dev ships no CMake config either).
find_package(Protobuf 3.21 REQUIRED)
pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++>=1.51)
find_program(GOMALL_GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
