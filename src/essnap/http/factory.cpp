#include "essnap/http/factory.hpp"

#include <iostream>

namespace essnap::http {

std::unique_ptr<Transport> make_transport(const TransportOptions& options, const Layer& layer) {
  std::ostream& out = options.trace ? *options.trace : std::cerr;
  if (options.tls_verify == TlsVerify::kOff)
    out << "essnap: warning: --insecure: TLS certificates are NOT verified; anyone on the path "
           "can read and change this traffic\n";
  std::unique_ptr<Transport> t = make_curl_transport(options);
  if (options.verbose > 0) t = make_trace_transport(std::move(t), out, options.verbose);
  if (layer) t = layer(std::move(t));
  t = make_retry_transport(std::move(t), options.retry);
  return make_watch_transport(std::move(t), options.no_answer);
}

}  // namespace essnap::http
