
import django.db.models.deletion
import wagtail.fields
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0002_create_homepage'),
        ('wagtailimages', '0027_image_description'),
    ]

    operations = [
        migrations.AddField(
            model_name='homepage',
            name='body',
            field=wagtail.fields.StreamField([('hero', 8), ('featured_products', 14), ('upcoming_fairs', 16), ('livestreams', 17), ('latest_news', 19), ('communes_map', 21), ('text', 22), ('call_to_action', 24)], blank=True, block_lookup={0: ('wagtail.blocks.CharBlock', (), {'label': 'Heading', 'max_length': 255}), 1: ('news.blocks.SafeRichTextBlock', (), {'features': ['bold', 'italic', 'link'], 'label': 'Text', 'required': False}), 2: ('wagtail.images.blocks.ImageChooserBlock', (), {'help_text': 'A wide photo; it is cropped to 3:2 and shown beside the text.', 'label': 'Image', 'required': False}), 3: ('wagtail.blocks.CharBlock', (), {'label': 'Button text', 'max_length': 80, 'required': False}), 4: ('wagtail.blocks.PageChooserBlock', (), {'label': 'Page', 'required': False}), 5: ('wagtail.blocks.URLBlock', (), {'label': 'or web address', 'required': False}), 6: ('wagtail.blocks.StructBlock', [[('text', 3), ('page', 4), ('url', 5)]], {'label': 'Button', 'required': False}), 7: ('wagtail.blocks.BooleanBlock', (), {'default': True, 'label': 'Show a “Browse all products” button', 'required': False}), 8: ('wagtail.blocks.StructBlock', [[('heading', 0), ('text', 1), ('image', 2), ('link', 6), ('shop_button', 7)]], {}), 9: ('wagtail.blocks.CharBlock', (), {'help_text': "Left empty, a standard heading in the visitor's language is shown.", 'label': 'Heading', 'max_length': 255, 'required': False}), 10: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('automatic', 'Automatic: the best-rated certified products'), ('chosen', 'The products chosen below')], 'label': 'Which products'}), 11: ('wagtail.blocks.IntegerBlock', (), {'default': 8, 'label': 'How many (automatic)', 'max_value': 24, 'min_value': 1}), 12: ('news.blocks.ProductChooserBlock', (), {}), 13: ('wagtail.blocks.ListBlock', (12,), {'help_text': 'Products without a valid OCOP certificate today are not shown.', 'label': 'Chosen products', 'min_num': 0, 'required': False}), 14: ('wagtail.blocks.StructBlock', [[('heading', 9), ('source', 10), ('count', 11), ('products', 13)]], {}), 15: ('wagtail.blocks.IntegerBlock', (), {'default': 3, 'label': 'How many', 'max_value': 24, 'min_value': 1}), 16: ('wagtail.blocks.StructBlock', [[('heading', 9), ('count', 15)]], {}), 17: ('wagtail.blocks.StructBlock', [[('heading', 9)]], {}), 18: ('wagtail.snippets.blocks.SnippetChooserBlock', ('news.NewsCategory',), {'help_text': 'Left empty, the newest articles of every category.', 'label': 'Only this category', 'required': False}), 19: ('wagtail.blocks.StructBlock', [[('heading', 9), ('count', 15), ('category', 18)]], {}), 20: ('wagtail.blocks.TextBlock', (), {'label': 'Text', 'required': False}), 21: ('wagtail.blocks.StructBlock', [[('heading', 9), ('text', 20)]], {}), 22: ('news.blocks.SafeRichTextBlock', (), {}), 23: ('wagtail.blocks.StructBlock', [[('text', 3), ('page', 4), ('url', 5)]], {'label': 'Button'}), 24: ('wagtail.blocks.StructBlock', [[('heading', 0), ('text', 20), ('link', 23)]], {})}, help_text='Left empty, the page shows a welcome, livestreams, featured products, fairs, news and the communes map.', verbose_name='body'),
        ),
        migrations.AddField(
            model_name='siteidentity',
            name='facebook',
            field=models.CharField(blank=True, help_text="The page's https:// address.", max_length=255, verbose_name='Facebook'),
        ),
        migrations.AddField(
            model_name='siteidentity',
            name='logo',
            field=models.ForeignKey(blank=True, help_text='A square mark, shown 40 pixels high in the header. Left empty, a ★ is shown.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailimages.image', verbose_name='logo'),
        ),
        migrations.AddField(
            model_name='siteidentity',
            name='short_name',
            field=models.CharField(blank=True, help_text='Shown beside the logo in the header, e.g. “OCOP Điện Biên”.', max_length=60, verbose_name='short name'),
        ),
        migrations.AddField(
            model_name='siteidentity',
            name='tiktok',
            field=models.CharField(blank=True, help_text="The account's https:// address.", max_length=255, verbose_name='TikTok'),
        ),
        migrations.AddField(
            model_name='siteidentity',
            name='youtube',
            field=models.CharField(blank=True, help_text="The channel's https:// address.", max_length=255, verbose_name='YouTube'),
        ),
        migrations.AddField(
            model_name='siteidentity',
            name='zalo',
            field=models.CharField(blank=True, help_text='A Vietnamese mobile number or a https://zalo.me/… link.', max_length=255, verbose_name='Zalo'),
        ),
    ]
