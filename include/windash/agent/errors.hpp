#pragma once
/// @file
/// The failure value of windash::agent's calls: a sentence for the person running the agent
/// that names the file, server or setting concerned and what is wrong with it.
#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <string>

namespace windash::agent {

struct agent_error {
    std::string message;
};

template <class T>
using agent_result = boost::system::result<T, agent_error>;

/// Lets agent_result<T>::value() throw: a std::runtime_error carrying the message.
[[noreturn]] void throw_exception_from_error(const agent_error& e,
                                             const boost::source_location& loc);

}  // namespace windash::agent
