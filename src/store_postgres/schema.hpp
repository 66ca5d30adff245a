#pragma once
#include "store_sql/sql.hpp"

namespace windash::store::postgres {

/// The PostgreSQL migrations, applied under an advisory lock.
[[nodiscard]] detail::dialect postgres_dialect() noexcept;

}  // namespace windash::store::postgres
