#pragma once
/// @file
/// windash::protocol: the agent/server JSON messages of SPEC §1-§2, parsed and written.

#include <windash/protocol/errors.hpp>
#include <windash/protocol/frame_parser.hpp>
#include <windash/protocol/messages.hpp>
#include <windash/protocol/writer.hpp>
