// read_input_file and write_file_atomic: only regular files are read; a failed write leaves no
// temporary file behind and names the reason.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "base/errors.h"
#include "base/input_files.h"
#include "base/output_files.h"
#include "tests/support/onnx_builder.h"

namespace safsim {

TEST_CASE("read_input_file reads regular files and refuses everything else", "[files]") {
  test::TempDir dir;
  write_file_atomic(dir.file("a.yaml"), "seed: 3\n");
  CHECK(read_input_file(dir.file("a.yaml")).bytes == "seed: 3\n");
  CHECK(read_input_file(dir.file("a.yaml")).problem.empty());
  CHECK(read_input_file(dir.file("missing")).problem == "No such file or directory");
  CHECK(read_input_file(dir.path()).problem == "is a directory");
  CHECK(read_input_file("/dev/zero").problem ==
        "not a regular file (a FIFO, device or socket is not read)");
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
  CHECK(read_input_file(dir.file("fifo")).problem ==
        "not a regular file (a FIFO, device or socket is not read)");
  CHECK(read_input_file(dir.file("a.yaml"), 4).problem ==
        "8 bytes, more than the 4 bytes accepted");
}

TEST_CASE("write_file_atomic onto a directory fails cleanly and leaves nothing behind", "[files]") {
  test::TempDir dir;
  std::filesystem::create_directory(dir.file("out"));
  REQUIRE_THROWS_WITH(write_file_atomic(dir.file("out"), "x"),
                      "cannot write '" + dir.file("out") + "': it is a directory");
  write_file_atomic(dir.file("b.txt"), "one");
  write_file_atomic(dir.file("b.txt"), "two");
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 2);  // out/ and b.txt: no temporary file left
  CHECK(read_input_file(dir.file("b.txt")).bytes == "two");
  // The durable variant (fsync of the file and its directory) behaves the same.
  REQUIRE_THROWS_WITH(write_file_atomic(dir.file("out"), "x", /*durable=*/true),
                      "cannot write '" + dir.file("out") + "': it is a directory");
  write_file_atomic(dir.file("b.txt"), "three", /*durable=*/true);
  CHECK(read_input_file(dir.file("b.txt")).bytes == "three");
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                      std::filesystem::directory_iterator()) == 2);
}

}  // namespace safsim
