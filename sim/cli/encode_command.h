// `safsim encode`: one weight through one encoder, its stuck cells and its read-path decoder,
// printed as one JSON object (001 Figs. 2-5 are reproducible with it).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "memory/defect_map.h"
#include "memory/read_path_decoder.h"
#include "workloads/word_format.h"

namespace safsim {

/// One `safsim encode` invocation, validated.
struct EncodeRequest {
  MitigationScheme scheme = MitigationScheme::kNone;
  WordFormat format;
  int64_t value = 0;  // as given: the unsigned word (offset-binary) or the signed value
  StuckBits stuck;
};

/// Validates the arguments; bad scheme, format, bits, value or defect syntax -> UserError.
/// `defects` is "b<bit>:<0|1>[,...]", e.g. "b0:1,b7:0" (empty: no defects).
///   EncodeRequest r = make_encode_request("lsb", 8, "unsigned", 51, "b7:1");
EncodeRequest make_encode_request(const std::string& scheme, int bits, const std::string& format,
                                  int64_t value, const std::string& defects);

/// {"scheme", "bits", "value", "stored", "decoded", "deviation", then "format", "written",
/// "stored_bits", "decoded_bits", "non_silent"}: stored = the cells after the stuck bits win,
/// decoded = what the PE receives, in the request's number convention.
///   nlohmann::ordered_json j = run_encode(r);  // j["stored"] == 205, j["decoded"] == 50
nlohmann::ordered_json run_encode(const EncodeRequest& r);

/// Adds `encode --scheme S --bits Q --format unsigned|twos_complement --value V --defects ...`.
void register_encode_command(CLI::App& app);

}  // namespace safsim
