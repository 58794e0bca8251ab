#include "essnap/aws/xml_error.hpp"

#include <pugixml.hpp>
#include <string>

namespace essnap::aws {

bool parse_xml_error(std::string_view body, RemoteDetail& d) {
  if (body.empty()) return false;
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return false;
  pugi::xml_node root = doc.document_element();
  pugi::xml_node err = std::string_view(root.name()) == "Error" ? root : root.child("Error");
  if (!err) err = root.child("Errors").child("Error");
  if (!err) return false;
  std::string code = err.child_value("Code");
  std::string message = err.child_value("Message");
  if (code.empty() && message.empty()) return false;
  d.error_type = std::move(code);
  d.reason = std::move(message);
  if (d.request_id.empty()) {
    for (const char* name : {"RequestId", "RequestID"}) {
      std::string id = err.child_value(name);
      if (id.empty()) id = root.child_value(name);
      if (!id.empty()) {
        d.request_id = std::move(id);
        break;
      }
    }
  }
  return true;
}

}  // namespace essnap::aws
