#pragma once
// One adapter per competing JSON library, all with the same shape: parse a metrics frame,
// validate it as SPEC §1 asks and extract it into windash's value types. Each is checked
// against windash's own result before it is timed.

#include <windash/protocol/messages.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace windash::bench {

/// Parses `frame` into `out`; false when the frame or a sample breaks a rule.
class baseline_parser {
  public:
    virtual ~baseline_parser() = default;
    virtual bool parse(std::string_view frame, protocol::metrics_batch& out) = 0;
};

/// Serializes a batch through the library's own document type, built once up front.
class baseline_writer {
  public:
    virtual ~baseline_writer() = default;
    virtual void write(std::string& out) = 0;
};

std::unique_ptr<baseline_parser> make_boost_json_parser();
std::unique_ptr<baseline_parser> make_nlohmann_parser();
std::unique_ptr<baseline_writer> make_boost_json_writer(const protocol::metrics_batch& batch);
std::unique_ptr<baseline_writer> make_nlohmann_writer(const protocol::metrics_batch& batch);

/// A sum over every extracted number and string length, so no variant can skip work.
double checksum(const protocol::metrics_batch& batch);

}  // namespace windash::bench
