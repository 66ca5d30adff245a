"""Conan 2 recipe for windash: builds with CMake and ships windash's own package config,
so consumers use find_package(windash) exactly as with a plain `cmake --install`."""

from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout


class WindashConan(ConanFile):
    name = "windash"
    version = "0.1.0"
    license = "MIT"
    description = "Embeddable C++ library for real-time system monitoring"
    settings = "os", "compiler", "build_type", "arch"
    options = {"shared": [True, False], "fPIC": [True, False]}
    default_options = {"shared": False, "fPIC": True}
    exports_sources = ("CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*")

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def requirements(self):
        self.requires("boost/1.81.0")
        self.requires("simdjson/3.0.1")
        self.requires("fmt/9.1.0")
        self.requires("openssl/[>=3 <4]")
        self.requires("sqlite3/[>=3.40]")
        self.requires("libpq/[>=15]")
        self.requires("argon2/20190702")

    def layout(self):
        cmake_layout(self)

    def generate(self):
        CMakeDeps(self).generate()
        toolchain = CMakeToolchain(self)
        for option in ("TESTS", "BENCH", "EXAMPLES"):
            toolchain.variables[f"WINDASH_BUILD_{option}"] = False
        toolchain.variables["WINDASH_WERROR"] = False
        toolchain.generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        CMake(self).install()

    def package_info(self):
        # Consumers load the installed windashConfig.cmake rather than a generated one.
        self.cpp_info.set_property("cmake_find_mode", "none")
        self.cpp_info.builddirs.append("lib/cmake/windash")
