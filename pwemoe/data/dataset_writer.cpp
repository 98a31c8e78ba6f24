#include "pwemoe/data/dataset_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "pwemoe/h5/attribute.h"
#include "pwemoe/h5/check.h"
#include "pwemoe/h5/rows.h"

namespace pwemoe::data {

namespace {

// Default chunk size: small enough that a small dataset wastes little (an uncompressed chunk
// takes its full size on disk) and a random image costs little to fetch, large enough for
// sequential reads.
constexpr int64_t kTargetChunkBytes = int64_t{256} << 10;
constexpr hsize_t kLabelChunk = 4096;

Status SystemError(const std::string& what, int err) {
  return Status::IoError("cannot " + what + ": " + std::strerror(err));
}

// Flushes the finished file to disk, then renames it, so `to` never names a partial file.
Status SyncAndRename(const std::string& from, const std::string& to) {
  int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return SystemError("reopen " + from, errno);
  int synced = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (synced != 0) return SystemError("flush " + from + " to disk", err);
  if (::rename(from.c_str(), to.c_str()) != 0) return SystemError("rename " + from, errno);
  return Status::Ok();
}

Status AsInvalid(const Status& status) {
  return status.ok() ? status : Status::InvalidArgument(status.message());
}

Status CreateExtendible(hid_t file, const char* name, hid_t file_type,
                        const std::vector<hsize_t>& chunk, int deflate_level, h5::DatasetId* out) {
  std::vector<hsize_t> dims(chunk), max_dims(chunk);
  dims[0] = 0;
  max_dims[0] = H5S_UNLIMITED;
  int rank = static_cast<int>(chunk.size());
  h5::SpaceId space;
  H5_CHECK(space.Reset(H5Screate_simple(rank, dims.data(), max_dims.data())));
  h5::PlistId create;
  H5_CHECK(create.Reset(H5Pcreate(H5P_DATASET_CREATE)));
  H5_CHECK(H5Pset_chunk(create.get(), rank, chunk.data()));
  if (deflate_level > 0)
    H5_CHECK(H5Pset_deflate(create.get(), static_cast<unsigned>(deflate_level)));
  H5_CHECK(out->Reset(
      H5Dcreate2(file, name, file_type, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT)));
  return Status::Ok();
}

Status CheckArguments(const ImageShape& shape, const WriterOptions& options) {
  if (shape.height <= 0 || shape.width <= 0 || shape.channels <= 0) {
    return Status::InvalidArgument(
        "image shape must be positive, found H = " + std::to_string(shape.height) +
        ", W = " + std::to_string(shape.width) + ", C = " + std::to_string(shape.channels));
  }
  if (options.chunk_images < 0) {
    return Status::InvalidArgument("chunk_images must be >= 0, found " +
                                   std::to_string(options.chunk_images));
  }
  if (options.deflate_level < 0 || options.deflate_level > 9) {
    return Status::InvalidArgument("deflate_level must be in 0..9, found " +
                                   std::to_string(options.deflate_level));
  }
  return Status::Ok();
}

}  // namespace

Status DatasetWriter::Create(const std::string& path, const ImageShape& shape,
                             const WriterOptions& options, std::unique_ptr<DatasetWriter>* out) {
  PWEMOE_RETURN_IF_ERROR(CheckArguments(shape, options).WithContext(path));
  std::unique_ptr<DatasetWriter> writer(new DatasetWriter(path, shape));
  auto lock = h5::LockHdf5();
  PWEMOE_RETURN_IF_ERROR(writer->Open(options).WithContext(path));
  *out = std::move(writer);
  return Status::Ok();
}

Status DatasetWriter::Open(const WriterOptions& options) {
  h5::PlistId access;
  H5_CHECK(access.Reset(H5Pcreate(H5P_FILE_ACCESS)));
  // SEMI: closing the file fails while a dataset is still open, instead of deferring the close.
  H5_CHECK(H5Pset_fclose_degree(access.get(), H5F_CLOSE_SEMI));
  // No file locks: the temporary file has no other readers, and locks fail on some cluster
  // file systems.
  H5_CHECK(H5Pset_file_locking(access.get(), false, true));
  std::string temp = temp_path();
  H5_CHECK(file_.Reset(H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get())));
  Status created = CreateDatasets(options);
  if (!created.ok()) Discard();
  return created;
}

Status DatasetWriter::CreateDatasets(const WriterOptions& options) {
  const int64_t image_bytes = shape_.height * shape_.width * shape_.channels;
  int64_t chunk_images = options.chunk_images;
  if (chunk_images == 0) chunk_images = std::max<int64_t>(1, kTargetChunkBytes / image_bytes);
  std::vector<hsize_t> image_chunk{
      static_cast<hsize_t>(chunk_images), static_cast<hsize_t>(shape_.height),
      static_cast<hsize_t>(shape_.width), static_cast<hsize_t>(shape_.channels)};
  PWEMOE_RETURN_IF_ERROR(CreateExtendible(file_.get(), kImagesName, H5T_STD_U8LE, image_chunk,
                                          options.deflate_level, &images_));
  return CreateExtendible(file_.get(), kLabelsName, H5T_STD_I64LE, {kLabelChunk},
                          options.deflate_level, &labels_);
}

DatasetWriter::~DatasetWriter() {
  if (!done_) Discard();
}

void DatasetWriter::Discard() {
  auto lock = h5::LockHdf5();
  images_.Close();
  labels_.Close();
  file_.Close();
  std::remove(temp_path().c_str());
}

Status DatasetWriter::Fail(Status status) {
  failed_ = status;
  Discard();
  return status;
}

Status DatasetWriter::SetClasses(std::vector<std::string> classes) {
  PWEMOE_RETURN_IF_ERROR(AsInvalid(ValidateClasses(classes)).WithContext(path_));
  if (max_label_ >= static_cast<int64_t>(classes.size())) {
    return Status::InvalidArgument(path_ + ": " + std::to_string(classes.size()) +
                                   " classes, but label " + std::to_string(max_label_) +
                                   " was appended");
  }
  classes_ = std::move(classes);
  return Status::Ok();
}

Status DatasetWriter::SetNormalization(std::vector<double> mean, std::vector<double> std) {
  PWEMOE_RETURN_IF_ERROR(
      AsInvalid(ValidateNormalization(mean, std, shape_.channels)).WithContext(path_));
  mean_ = std::move(mean);
  std_ = std::move(std);
  return Status::Ok();
}

Status DatasetWriter::CheckLabels(const int64_t* labels, int64_t count) const {
  const int64_t limit = classes_.empty() ? INT64_MAX : static_cast<int64_t>(classes_.size());
  for (int64_t i = 0; i < count; ++i) {
    if (labels[i] < 0 || labels[i] >= limit) {
      return Status::InvalidArgument(
          "label " + std::to_string(i) + " of the appended piece is " + std::to_string(labels[i]) +
          ", expected a value in [0, " +
          (classes_.empty() ? "number of classes" : std::to_string(limit)) + ")");
    }
  }
  return Status::Ok();
}

Status DatasetWriter::Append(const uint8_t* images, const int64_t* labels, int64_t count) {
  if (done_ || !failed_.ok()) {
    return Status::InvalidArgument(path_ + ": Append on a writer that is closed or failed");
  }
  if (count < 0) {
    return Status::InvalidArgument(path_ + ": negative image count " + std::to_string(count));
  }
  PWEMOE_RETURN_IF_ERROR(CheckLabels(labels, count).WithContext(path_));
  const std::vector<hsize_t> image_dims{static_cast<hsize_t>(shape_.height),
                                        static_cast<hsize_t>(shape_.width),
                                        static_cast<hsize_t>(shape_.channels)};
  auto lock = h5::LockHdf5();
  Status written =
      h5::AppendRows(images_.get(), H5T_NATIVE_UINT8, size_, count, image_dims, images);
  if (written.ok())
    written = h5::AppendRows(labels_.get(), H5T_NATIVE_INT64, size_, count, {}, labels);
  if (!written.ok()) return Fail(written.WithContext(path_));
  size_ += count;
  for (int64_t i = 0; i < count; ++i) max_label_ = std::max(max_label_, labels[i]);
  return Status::Ok();
}

Status DatasetWriter::CheckComplete() const {
  if (size_ == 0) return Status::InvalidArgument("no images were appended");
  if (classes_.empty()) return Status::InvalidArgument("classes were not set (SetClasses)");
  if (mean_.empty()) return Status::InvalidArgument("mean and std were not set (SetNormalization)");
  return Status::Ok();
}

Status DatasetWriter::WriteAttributes() {
  const hid_t root = file_.get();
  PWEMOE_RETURN_IF_ERROR(h5::WriteString(root, kFormatAttr, kFormatTag));
  PWEMOE_RETURN_IF_ERROR(h5::WriteInt(root, kVersionAttr, kFormatVersion));
  PWEMOE_RETURN_IF_ERROR(h5::WriteStrings(root, kClassesAttr, classes_));
  PWEMOE_RETURN_IF_ERROR(h5::WriteDoubles(root, kMeanAttr, mean_));
  PWEMOE_RETURN_IF_ERROR(h5::WriteDoubles(root, kStdAttr, std_));
  if (!task_.empty()) PWEMOE_RETURN_IF_ERROR(h5::WriteString(root, kTaskAttr, task_));
  if (!split_.empty()) PWEMOE_RETURN_IF_ERROR(h5::WriteString(root, kSplitAttr, split_));
  return Status::Ok();
}

Status DatasetWriter::Finish() {
  PWEMOE_RETURN_IF_ERROR(CheckComplete());
  PWEMOE_RETURN_IF_ERROR(WriteAttributes());
  H5_CHECK(images_.Close());
  H5_CHECK(labels_.Close());
  H5_CHECK(file_.Close());
  return SyncAndRename(temp_path(), path_);
}

Status DatasetWriter::Close() {
  if (done_) return Status::InvalidArgument(path_ + ": Close called twice");
  if (!failed_.ok()) return failed_;
  done_ = true;
  auto lock = h5::LockHdf5();
  Status finished = Finish();
  if (!finished.ok()) return Fail(finished.WithContext(path_));
  return Status::Ok();
}

}  // namespace pwemoe::data
