#include <windash/store/store.hpp>

namespace windash::store {

// A store of one process has nobody to notify: the defaults refuse, and notifies() says so.
result<void> store::notify(std::string_view, std::string_view) {
    return make_error_code(errc::invalid_argument);
}

result<std::unique_ptr<listener>> store::listen(std::vector<std::string>, notification_handler) {
    return make_error_code(errc::invalid_argument);
}

}  // namespace windash::store
