from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_fewer_checks_per_score"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="score",
            name="score_has_a_value",
        ),
        migrations.RemoveConstraint(
            model_name="scorerecord",
            name="record_has_a_value",
        ),
        migrations.AddField(
            model_name="indicator",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "(không có)"),
                    ("publicity", "Nhóm công khai, minh bạch"),
                    ("progress", "Nhóm tiến độ giải quyết"),
                    ("online_service", "Nhóm dịch vụ công trực tuyến"),
                    ("online_payment", "Nhóm thanh toán trực tuyến"),
                    ("satisfaction", "Nhóm mức độ hài lòng"),
                    ("digitisation", "Nhóm số hóa hồ sơ"),
                    ("overdue_total", "Hồ sơ quá hạn (tổng số)"),
                    ("overdue_district", "Hồ sơ quá hạn cấp huyện"),
                    ("overdue_commune", "Hồ sơ quá hạn cấp xã"),
                    ("pakn_overdue", "PAKN quá hạn (tổng số)"),
                    ("pakn_not_received", "PAKN quá hạn chưa tiếp nhận"),
                    ("pakn_late", "PAKN xử lý quá hạn"),
                    ("dossiers_late", "Hồ sơ trễ hạn"),
                    ("copies_electronic", "Bản sao điện tử đã cấp"),
                    ("digitise_missing_inputs", "Hồ sơ chưa số hóa thành phần"),
                    ("digitise_missing_results", "Hồ sơ chưa số hóa kết quả"),
                ],
                default="",
                help_text="Ý nghĩa của chỉ số với công văn và trang công khai (mỗi vai trò một chỉ số trong một bộ).",
                max_length=32,
                verbose_name="vai trò",
            ),
        ),
        migrations.AddField(
            model_name="score",
            name="change",
            field=models.DecimalField(
                blank=True,
                decimal_places=3,
                max_digits=15,
                null=True,
                verbose_name="thay đổi so với tháng trước (theo công bố)",
            ),
        ),
        migrations.AddField(
            model_name="score",
            name="rank",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="hạng (theo công bố)"),
        ),
        migrations.AddField(
            model_name="score",
            name="rank_change",
            field=models.IntegerField(
                blank=True, null=True, verbose_name="thay đổi hạng (theo công bố; dương: tăng hạng)"
            ),
        ),
        migrations.AddField(
            model_name="score",
            name="rank_of",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="số đơn vị được xếp hạng (theo công bố)"
            ),
        ),
        migrations.AddField(
            model_name="scorerecord",
            name="change",
            field=models.DecimalField(
                blank=True,
                decimal_places=3,
                max_digits=15,
                null=True,
                verbose_name="thay đổi so với tháng trước (theo công bố)",
            ),
        ),
        migrations.AddField(
            model_name="scorerecord",
            name="rank",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="hạng (theo công bố)"),
        ),
        migrations.AddField(
            model_name="scorerecord",
            name="rank_change",
            field=models.IntegerField(
                blank=True, null=True, verbose_name="thay đổi hạng (theo công bố; dương: tăng hạng)"
            ),
        ),
        migrations.AddField(
            model_name="scorerecord",
            name="rank_of",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="số đơn vị được xếp hạng (theo công bố)"
            ),
        ),
    ]
