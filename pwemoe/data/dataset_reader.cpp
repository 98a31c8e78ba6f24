#include "pwemoe/data/dataset_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "pwemoe/h5/attribute.h"
#include "pwemoe/h5/check.h"
#include "pwemoe/h5/rows.h"

namespace pwemoe::data {

namespace {

// Chunk cache of the `images` dataset: enough for random minibatches over small datasets and
// for a few chunks of large images.
constexpr size_t kChunkCacheBytes = size_t{32} << 20;
constexpr size_t kChunkCacheSlots = 12421;  // a prime, about 100 times the chunks that fit

Status Bad(const char* kind, const std::string& name, const std::string& what) {
  return Status::Corrupt(std::string(kind) + " '" + name + "': " + what);
}

std::string ShapeText(const std::vector<hsize_t>& dims) {
  std::string text = "rank " + std::to_string(dims.size()) + " [";
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

Status CheckFile(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Status::NotFound("no such file");
    return Status::IoError(std::string("cannot access: ") + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) return Status::Corrupt("is a folder, expected an HDF5 dataset file");
  htri_t is_hdf5;
  H5_CHECK(is_hdf5 = H5Fis_hdf5(path.c_str()));
  if (is_hdf5 == 0) return Status::Corrupt("not an HDF5 file (no HDF5 signature)");
  return Status::Ok();
}

Status OpenFile(const std::string& path, h5::FileId* file) {
  h5::PlistId access;
  H5_CHECK(access.Reset(H5Pcreate(H5P_FILE_ACCESS)));
  // Dataset files are never modified once renamed into place; locks only fail on some cluster
  // file systems.
  H5_CHECK(H5Pset_file_locking(access.get(), false, true));
  H5_CHECK(file->Reset(H5Fopen(path.c_str(), H5F_ACC_RDONLY, access.get())));
  return Status::Ok();
}

Status CheckFormat(hid_t file) {
  bool tagged = false;
  PWEMOE_RETURN_IF_ERROR(h5::HasAttribute(file, kFormatAttr, &tagged));
  if (!tagged) {
    return Bad("attribute", kFormatAttr,
               std::string("missing, expected \"") + kFormatTag +
                   "\" (this HDF5 file is not a pwemoe dataset)");
  }
  std::string tag;
  PWEMOE_RETURN_IF_ERROR(h5::ReadString(file, kFormatAttr, &tag));
  if (tag != kFormatTag) {
    return Bad("attribute", kFormatAttr,
               std::string("expected \"") + kFormatTag + "\", found \"" + tag + "\"");
  }
  int64_t version = 0;
  PWEMOE_RETURN_IF_ERROR(h5::ReadInt(file, kVersionAttr, &version));
  if (version != kFormatVersion) {
    return Bad("attribute", kVersionAttr,
               "expected " + std::to_string(kFormatVersion) + ", found " + std::to_string(version));
  }
  return Status::Ok();
}

// Opens the HDF5 dataset `name`; Corrupt when it is missing or is not a dataset.
Status OpenItem(hid_t file, const char* name, const char* expected, hid_t access,
                h5::DatasetId* out) {
  htri_t exists;
  H5_CHECK(exists = H5Lexists(file, name, H5P_DEFAULT));
  if (exists == 0) return Bad("dataset", name, std::string("missing, expected ") + expected);
  h5::ObjectId object;
  H5_CHECK(object.Reset(H5Oopen(file, name, H5P_DEFAULT)));
  H5I_type_t type;
  H5_CHECK(type = H5Iget_type(object.get()));
  if (type != H5I_DATASET) {
    return Bad("dataset", name, std::string("expected ") + expected + ", found a group or type");
  }
  H5_CHECK(out->Reset(H5Dopen2(file, name, access)));
  return Status::Ok();
}

// Checks that the dataset's elements are integers of `bytes` bytes and the signedness asked.
Status CheckIntegerType(hid_t dataset, const char* name, size_t bytes, bool is_signed,
                        const char* expected) {
  h5::TypeId type;
  H5_CHECK(type.Reset(H5Dget_type(dataset)));
  H5T_class_t type_class;
  H5_CHECK(type_class = H5Tget_class(type.get()));
  bool good = type_class == H5T_INTEGER;
  if (good) {
    size_t size;
    H5T_sign_t sign;
    H5_CHECK(size = H5Tget_size(type.get()));
    H5_CHECK(sign = H5Tget_sign(type.get()));
    good = size == bytes && (sign == H5T_SGN_2) == is_signed;
  }
  if (good) return Status::Ok();
  std::string found;
  PWEMOE_RETURN_IF_ERROR(h5::DescribeType(type.get(), &found));
  return Bad("dataset", name, std::string("expected ") + expected + ", found " + found);
}

Status Dimensions(hid_t dataset, std::vector<hsize_t>* dims) {
  h5::SpaceId space;
  H5_CHECK(space.Reset(H5Dget_space(dataset)));
  int rank;
  H5_CHECK(rank = H5Sget_simple_extent_ndims(space.get()));
  dims->assign(static_cast<size_t>(rank), 0);
  if (rank > 0) H5_CHECK(H5Sget_simple_extent_dims(space.get(), dims->data(), nullptr));
  return Status::Ok();
}

Status OpenImages(hid_t file, h5::DatasetId* images, DatasetInfo* info) {
  const char* expected = "uint8 [N, H, W, C]";
  h5::PlistId access;
  H5_CHECK(access.Reset(H5Pcreate(H5P_DATASET_ACCESS)));
  H5_CHECK(H5Pset_chunk_cache(access.get(), kChunkCacheSlots, kChunkCacheBytes,
                              H5D_CHUNK_CACHE_W0_DEFAULT));
  PWEMOE_RETURN_IF_ERROR(OpenItem(file, kImagesName, expected, access.get(), images));
  PWEMOE_RETURN_IF_ERROR(CheckIntegerType(images->get(), kImagesName, 1, false, "uint8"));
  std::vector<hsize_t> dims;
  PWEMOE_RETURN_IF_ERROR(Dimensions(images->get(), &dims));
  if (dims.size() != 4) {
    return Bad("dataset", kImagesName,
               std::string("expected rank 4 ") + expected + ", found " + ShapeText(dims));
  }
  if (dims[0] == 0 || dims[1] == 0 || dims[2] == 0 || dims[3] == 0) {
    return Bad("dataset", kImagesName, "expected N, H, W, C > 0, found " + ShapeText(dims));
  }
  info->size = static_cast<int64_t>(dims[0]);
  info->height = static_cast<int64_t>(dims[1]);
  info->width = static_cast<int64_t>(dims[2]);
  info->channels = static_cast<int64_t>(dims[3]);
  return Status::Ok();
}

Status ReadLabels(hid_t file, int64_t size, std::vector<int64_t>* labels) {
  h5::DatasetId dataset;
  PWEMOE_RETURN_IF_ERROR(OpenItem(file, kLabelsName, "int64 [N]", H5P_DEFAULT, &dataset));
  PWEMOE_RETURN_IF_ERROR(CheckIntegerType(dataset.get(), kLabelsName, 8, true, "int64"));
  std::vector<hsize_t> dims;
  PWEMOE_RETURN_IF_ERROR(Dimensions(dataset.get(), &dims));
  if (dims.size() != 1) {
    return Bad("dataset", kLabelsName, "expected rank 1 [N], found " + ShapeText(dims));
  }
  if (static_cast<int64_t>(dims[0]) != size) {
    return Bad("dataset", kLabelsName,
               "expected N = " + std::to_string(size) + " entries (one per image of '" +
                   kImagesName + "'), found " + std::to_string(dims[0]));
  }
  labels->assign(static_cast<size_t>(size), 0);
  return h5::ReadRows(dataset.get(), H5T_NATIVE_INT64, 0, size, {}, labels->data());
}

Status ReadOptionalString(hid_t file, const char* name, std::string* out) {
  bool present = false;
  PWEMOE_RETURN_IF_ERROR(h5::HasAttribute(file, name, &present));
  return present ? h5::ReadString(file, name, out) : Status::Ok();
}

Status ReadAttributes(hid_t file, DatasetInfo* info) {
  PWEMOE_RETURN_IF_ERROR(h5::ReadStrings(file, kClassesAttr, &info->classes));
  PWEMOE_RETURN_IF_ERROR(ValidateClasses(info->classes));
  PWEMOE_RETURN_IF_ERROR(h5::ReadDoubles(file, kMeanAttr, &info->mean));
  PWEMOE_RETURN_IF_ERROR(h5::ReadDoubles(file, kStdAttr, &info->std));
  PWEMOE_RETURN_IF_ERROR(ValidateNormalization(info->mean, info->std, info->channels));
  PWEMOE_RETURN_IF_ERROR(ReadOptionalString(file, kTaskAttr, &info->task));
  return ReadOptionalString(file, kSplitAttr, &info->split);
}

Status LoadDataset(const std::string& path, DatasetInfo* info, std::vector<int64_t>* labels,
                   h5::FileId* file, h5::DatasetId* images) {
  PWEMOE_RETURN_IF_ERROR(CheckFile(path));
  PWEMOE_RETURN_IF_ERROR(OpenFile(path, file));
  PWEMOE_RETURN_IF_ERROR(CheckFormat(file->get()));
  PWEMOE_RETURN_IF_ERROR(OpenImages(file->get(), images, info));
  PWEMOE_RETURN_IF_ERROR(ReadLabels(file->get(), info->size, labels));
  PWEMOE_RETURN_IF_ERROR(ReadAttributes(file->get(), info));
  return ValidateLabels(labels->data(), info->size, static_cast<int64_t>(info->classes.size()));
}

}  // namespace

Status OpenDataset(const std::string& path, Dataset* out) {
  Dataset dataset;
  dataset.info_.path = path;
  auto lock = h5::LockHdf5();
  Status loaded =
      LoadDataset(path, &dataset.info_, &dataset.labels_, &dataset.file_, &dataset.images_);
  if (!loaded.ok()) return loaded.WithContext(path);
  *out = std::move(dataset);
  return Status::Ok();
}

Status Dataset::ReadImages(int64_t begin, int64_t count, uint8_t* out) const {
  if (!is_open()) return Status::InvalidArgument("ReadImages on a dataset that is not open");
  if (begin < 0 || count < 0 || begin > info_.size || count > info_.size - begin) {
    return Status::InvalidArgument(info_.path + ": cannot read " + std::to_string(count) +
                                   " images from index " + std::to_string(begin) +
                                   ", expected a range inside [0, " + std::to_string(info_.size) +
                                   ")");
  }
  const std::vector<hsize_t> image_dims{static_cast<hsize_t>(info_.height),
                                        static_cast<hsize_t>(info_.width),
                                        static_cast<hsize_t>(info_.channels)};
  auto lock = h5::LockHdf5();
  return h5::ReadRows(images_.get(), H5T_NATIVE_UINT8, begin, count, image_dims, out)
      .WithContext(info_.path + ": dataset '" + kImagesName + "'");
}

Status Dataset::ReadSorted(const std::vector<int64_t>& sorted, uint8_t* out) const {
  const int64_t image_bytes = info_.image_bytes();
  size_t first = 0;
  while (first < sorted.size()) {
    size_t end = first + 1;
    while (end < sorted.size() && sorted[end] == sorted[end - 1] + 1) ++end;
    PWEMOE_RETURN_IF_ERROR(ReadImages(sorted[first], static_cast<int64_t>(end - first),
                                      out + static_cast<int64_t>(first) * image_bytes));
    first = end;
  }
  return Status::Ok();
}

Status Dataset::ReadImagesAt(const std::vector<int64_t>& indices, uint8_t* out) const {
  if (!is_open()) return Status::InvalidArgument("ReadImagesAt on a dataset that is not open");
  for (size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] < 0 || indices[i] >= info_.size) {
      return Status::InvalidArgument(info_.path + ": index " + std::to_string(i) + " is " +
                                     std::to_string(indices[i]) + ", expected a value in [0, " +
                                     std::to_string(info_.size) + ")");
    }
  }
  std::vector<int64_t> sorted(indices);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (sorted == indices) return ReadSorted(sorted, out);
  const int64_t image_bytes = info_.image_bytes();
  std::vector<uint8_t> buffer(sorted.size() * static_cast<size_t>(image_bytes));
  PWEMOE_RETURN_IF_ERROR(ReadSorted(sorted, buffer.data()));
  for (size_t i = 0; i < indices.size(); ++i) {
    size_t row = std::lower_bound(sorted.begin(), sorted.end(), indices[i]) - sorted.begin();
    std::memcpy(out + i * image_bytes, buffer.data() + row * image_bytes, image_bytes);
  }
  return Status::Ok();
}

}  // namespace pwemoe::data
