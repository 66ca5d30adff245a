#pragma once
/// @file
/// windash::agent: what the windash-agent binary is made of: its settings, the on-disk spool,
/// and the streamer that sends the spool to the server.

#include <windash/agent/config.hpp>
#include <windash/agent/errors.hpp>
#include <windash/agent/replies.hpp>
#include <windash/agent/spool.hpp>
#include <windash/agent/streamer.hpp>
