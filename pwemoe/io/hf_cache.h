// Hugging Face model ids resolved offline inside a local hub cache, the layout huggingface_hub
// writes (`hf download`, `from_pretrained`):
//
//   <cache>/models--<org>--<name>/refs/<branch>        a file holding a commit hash
//   <cache>/models--<org>--<name>/snapshots/<commit>/  the files of that revision (links to blobs/)
//
// Nothing here downloads; a model that is not in the cache is an error saying where it was looked
// for.
//
// Thread safety: pure functions over the file system and the environment.
#pragma once

#include <string>

#include "pwemoe/util/status.h"

namespace pwemoe::io {

// Whether `s` has the form of a model id, "org/name" or "org/name@revision" (letters, digits,
// '-', '_', '.'; neither part starting with '.'). Such a string can also be a relative path:
// callers try the path first (see ResolveModelPath).
bool LooksLikeHfModelId(const std::string& s);

// The hub cache folder: $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else $HOME/.cache/huggingface/hub (huggingface_hub's order).
// Empty when none of these variables is set.
std::string HfHubCacheDir();

// The snapshot folder of model `id` ("org/name", optionally "@revision": a branch or tag name
// under refs/, default "main", or a commit hash) in `cache_dir`, into *snapshot_dir. NotFound
// naming the model, the revision and the exact path that is missing (the model's folder, its
// refs/<revision> file, or the snapshot folder), and how to fill the cache; InvalidArgument when
// `id` is not a model id; Corrupt when a refs file does not hold a commit hash.
Status ResolveHfModel(const std::string& id, const std::string& cache_dir, std::string* snapshot_dir);

// A model location as users write it: an existing file or folder (returned as an absolute path),
// else a model id resolved in HfHubCacheDir(). NotFound saying that `location` is neither an
// existing path nor a model in the cache (with ResolveHfModel's reason).
Status ResolveModelPath(const std::string& location, std::string* path);

}  // namespace pwemoe::io
