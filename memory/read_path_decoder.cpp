// Read-path decoders of the deploy-time schemes.
#include "memory/read_path_decoder.h"

namespace safsim {

const char* to_string(MitigationScheme s) {
  switch (s) {
    case MitigationScheme::kNone:
      return "none";
  }
  return "?";
}

uint32_t decode_read_path(MitigationScheme scheme, const WordFormat& fmt, uint32_t stored) {
  switch (scheme) {
    case MitigationScheme::kNone:
      return stored & fmt.mask();
  }
  return stored & fmt.mask();
}

}  // namespace safsim
